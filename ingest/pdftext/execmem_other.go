//go:build !linux

package pdftext

// execMemory: outside Linux, wazero decides alone between its compiler and
// its interpreter.
func execMemory() bool { return true }
