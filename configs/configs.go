// Package configs holds Linli's default configuration and rules, built
// into the binary so `linli serve` runs from any folder.
package configs

import "embed"

// Default is config.yaml, the defaults of every setting.
//
//go:embed config.yaml
var Default []byte

// Rules holds the default rules files under rules/.
//
//go:embed rules
var Rules embed.FS
