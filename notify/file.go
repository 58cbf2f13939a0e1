package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FileTransport writes each message as an .eml file into a folder, for a
// newcomer or a test installation: any mail client opens them.
type FileTransport struct {
	dir string
}

// NewFile returns a transport writing into dir, which it creates if needed.
func NewFile(dir string) (*FileTransport, error) {
	if dir == "" {
		return nil, errors.New("file transport: folder is required")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("file transport: %w", err)
	}
	return &FileTransport{dir: dir}, nil
}

// Name identifies the transport in logs.
func (t *FileTransport) Name() string { return "file " + t.dir }

// Deliver writes each message to <dir>/<sanitized key>.eml. Writing is
// atomic (temporary file, fsync, rename, fsync of the folder), so a reader
// never sees half a message and a crash never leaves one. A message whose
// file already exists is Sent without being written again: the same key is
// the same message. A failure to write is Temporary and stops the batch, as
// the next message would most likely fail the same way (disk full, folder
// gone or read-only).
func (t *FileTransport) Deliver(ctx context.Context, msgs []Message, report func(i int, r Result)) error {
	if report == nil {
		return errors.New("file deliver: report callback is nil")
	}
	if len(msgs) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("file deliver: %w", err)
	}
	// The folder may have been removed since NewFile.
	if err := os.MkdirAll(t.dir, 0o750); err != nil {
		return fmt.Errorf("file deliver: %w", err)
	}
	for i, m := range msgs {
		if i > 0 {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("file deliver: stopped before message %d of %d: %w", i+1, len(msgs), err)
			}
		}
		r, stop := t.write(m)
		report(i, r)
		if stop != nil {
			return stop
		}
	}
	return nil
}

func (t *FileTransport) write(m Message) (Result, error) {
	if m.Key == "" {
		return Result{Outcome: Permanent, Err: errors.New("file deliver: message has no key")}, nil
	}
	if len(m.Raw) == 0 {
		return Result{Outcome: Permanent, Err: fmt.Errorf("file deliver %s: empty message", m.Key)}, nil
	}
	path := filepath.Join(t.dir, emlName(m.Key))
	if _, err := os.Lstat(path); err == nil {
		return Result{Outcome: Sent, Response: "already written " + path}, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return t.failed(m, err)
	}
	if err := writeAtomic(t.dir, path, m.Raw); err != nil {
		return t.failed(m, err)
	}
	return Result{Outcome: Sent, Response: "written " + path}, nil
}

func (t *FileTransport) failed(m Message, err error) (Result, error) {
	err = fmt.Errorf("file deliver %s: %w", m.Key, err)
	return Result{Outcome: Temporary, Err: err}, err
}

// writeAtomic writes data to path through a temporary file in the same
// folder, so that the rename is atomic.
func writeAtomic(dir, path string, data []byte) (err error) {
	// The temporary name does not end in .eml, so a mail client watching
	// the folder ignores it.
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	if _, err = f.Write(data); err != nil {
		return err
	}
	// Messages may name people; not world-readable.
	if err = f.Chmod(0o640); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// The rename is durable only once the folder itself is synced.
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// maxNameLen keeps file names well under the 255-byte limit of common
// file systems, with room for the hash and extension.
const maxNameLen = 180

// emlName maps a key to a file name of [A-Za-z0-9._-] ending in .eml. When
// that mapping loses information (replaced characters, truncation, a
// leading dot), a hash of the whole key is appended, so two different keys
// never share a file: "reminder:mps:1" and "reminder/mps/1" would both
// become "reminder_mps_1" otherwise.
func emlName(key string) string {
	var b strings.Builder
	lossy := false
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			b.WriteByte(c)
		case c == '.' && i > 0: // no hidden files, no "." or ".."
			b.WriteByte(c)
		default:
			b.WriteByte('_')
			lossy = true
		}
	}
	name := b.String()
	if len(name) > maxNameLen {
		name, lossy = name[:maxNameLen], true
	}
	if lossy {
		sum := sha256.Sum256([]byte(key))
		name += "-" + hex.EncodeToString(sum[:4])
	}
	return name + ".eml"
}

var _ Transport = (*FileTransport)(nil)
