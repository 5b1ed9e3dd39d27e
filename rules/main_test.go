package rules

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run when a goroutine, such as a watcher, outlives
// the tests.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
