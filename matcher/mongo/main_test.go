package mongo_test

import (
	"testing"

	"github.com/linli/linli/matcher/mongo/mongotest"
)

func TestMain(m *testing.M) { mongotest.Main(m, nil) }
