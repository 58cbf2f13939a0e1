//go:build race

package cluster

// raceDetector: the scoring of the labelled corpus is skipped under -race
// (see bcubed_test.go).
const raceDetector = true
