package notify

import (
	"bytes"
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
	// Messages name people: the folder is the daemon user's alone.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("file transport: %w", err)
	}
	return &FileTransport{dir: dir}, nil
}

// Name identifies the transport in logs.
func (t *FileTransport) Name() string { return "file " + t.dir }

// Deliver writes each message to <dir>/<sanitized key>.eml, readable by
// its owner only. Writing is atomic and exclusive (temporary file, fsync,
// hard link to the final name, fsync of the folder), so a reader never sees
// half a message, a crash never leaves one, and a file already at the name
// is never replaced. A message whose file already holds exactly its bytes
// (written before a crash) is Sent without being written again; any other
// file there, planted or left by something else, is not this message: it
// is a permanent failure, not a delivery. A failure to write is Temporary and stops the batch, as
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
	if err := os.MkdirAll(t.dir, 0o700); err != nil {
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
	err := writeAtomic(t.dir, path, m.Raw)
	if errors.Is(err, fs.ErrExist) {
		if same(path, m.Raw) {
			return Result{Outcome: Sent, Response: "already written " + path}, nil
		}
		return Result{Outcome: Permanent, Err: fmt.Errorf("file deliver %s: %s already exists and is not this message; it was left as it is", m.Key, path)}, nil
	}
	if err != nil {
		return t.failed(m, err)
	}
	return Result{Outcome: Sent, Response: "written " + path}, nil
}

// same reports whether path is a regular file holding exactly data.
func same(path string, data []byte) bool {
	st, err := os.Lstat(path)
	if err != nil || !st.Mode().IsRegular() || st.Size() != int64(len(data)) {
		return false
	}
	b, err := os.ReadFile(path)
	return err == nil && bytes.Equal(b, data)
}

func (t *FileTransport) failed(m Message, err error) (Result, error) {
	err = fmt.Errorf("file deliver %s: %w", m.Key, err)
	return Result{Outcome: Temporary, Err: err}, err
}

// writeAtomic writes data to path through a temporary file in the same
// folder, linked to its name only when whole: the link fails with an
// fs.ErrExist error if anything is at path already, where a rename would
// replace it.
func writeAtomic(dir, path string, data []byte) (err error) {
	// The temporary name does not end in .eml, so a mail client watching
	// the folder ignores it. CreateTemp makes it 0600.
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
	// Messages name people: readable by the daemon's user only, whatever
	// the umask.
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Link(tmp, path); err != nil {
		_ = os.Remove(tmp)
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		// A file system without hard links: create the name exclusively.
		if err = writeExclusive(path, data); err != nil {
			return err
		}
	} else {
		_ = os.Remove(tmp)
	}
	// The new name is durable only once the folder itself is synced.
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// writeExclusive creates path, failing if it exists, and writes data.
func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
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
