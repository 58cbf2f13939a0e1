//go:build !linux || !cgo

package web

func releaseCMemory() {}
