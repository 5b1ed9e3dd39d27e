// Package rules decides whether a supplier may serve a wish, by eligibility
// rules that social workers write in YAML files and change without a
// redeploy.
//
// A rules file holds a list under "rules:". Each rule has a name (unique
// across all loaded files, matching ^[a-z0-9][a-z0-9-]{0,63}$, stable: it
// appears in API errors, exclusion counts and reports), an optional when
// (the rule applies only when it holds), a require (what must hold when it
// applies) and an explain (shown when the rule says no):
//
//	rules:
//	  - name: minors-need-safeguarding
//	    when: resident.age < 18
//	    require: supplier.kind == "volunteer" ? "child_safeguarding" in supplier.certifications : supplier.vetted
//	    explain: A minor is served only by a checked volunteer or a vetted organisation.
//
// Expressions are expr (https://expr-lang.org) over Env, spelled by its expr
// tags. They are compiled once, at load, against the typed Env, so that an
// unknown name, a type error or a result that is not a bool is a load error
// located in the file. Unknown keys are errors, and so is an empty file;
// limits bound the size of a file, of an expression and of its syntax tree.
// In YAML, " #" starts a comment: quote an expression that uses #.
//
// Load and Check report every problem of every file at once. An Engine
// holds the rule set in force, polls its files, and swaps in a new set only
// when it compiles; deployments should replace rules files atomically
// (write, then rename), as a ConfigMap update does. RunCases runs a cases
// file against a set, for `linli rules test`.
//
// Set.Evaluate neither allocates nor locks. To evaluate many suppliers for
// one wish, Set.Prepare evaluates once what depends only on the wish and
// its resident, and the returned Plan evaluates the rest per supplier. A
// rule whose evaluation fails at run time (an index out of range, say)
// denies: the rules guard residents, so they fail closed.
package rules
