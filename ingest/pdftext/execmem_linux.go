package pdftext

import "syscall"

// execMemory reports whether the process may map memory writable and then
// executable, as the compiled engine does for the code it generates.
// systemd's MemoryDenyWriteExecute=yes forbids it; wazero then falls back
// to its interpreter on its own, and this says so in the log.
func execMemory() bool {
	b, err := syscall.Mmap(-1, 0, syscall.Getpagesize(), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return false
	}
	defer func() { _ = syscall.Munmap(b) }()
	return syscall.Mprotect(b, syscall.PROT_READ|syscall.PROT_EXEC) == nil
}
