// Package index holds Linli's in-memory read models: every supplier and
// wish by H3 cell for the candidate search and the near listing, ordered
// id lists by node of the district tree for paging, entity tables by id,
// and the counts the privacy rules need. The service builds them from the
// store's log at start and keeps them current from every change applied,
// its own and other replicas', so that no request queries the store.
//
// It knows nothing of the domain's types: the service converts its
// entities into the plain facts declared here (Supplier, Wish, Resident).
// It imports only geo and rules.
package index
