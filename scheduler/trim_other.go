//go:build !linux || !cgo

package scheduler

// Where glibc's malloc tuning does not exist, there is nothing to do.

func limitCArenas() {}

func releaseCMemory() {}
