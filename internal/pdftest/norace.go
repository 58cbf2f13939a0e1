//go:build !race

package pdftest

// Race is true under the race detector, where compiling PDFium without the
// cache takes minutes instead of seconds.
const Race = false
