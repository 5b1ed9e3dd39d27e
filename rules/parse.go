package rules

import "fmt"

// Parse compiles the text of one rules file, as Load compiles a file on
// disk; name stands for the file in the set and in every problem. It is
// how a rules file typed or pasted by a person is checked and tried
// before it is published. The errors are Load's.
func Parse(name string, data []byte) (*Set, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("load rules: %w", &LoadError{Problems: []Problem{
			{File: name, Message: fmt.Sprintf("file is larger than %d bytes", MaxFileBytes)}}})
	}
	return build([]source{{path: name, data: data}})
}
