package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// keySize is the length of the link signing key: HMAC-SHA256's block is
// larger, its output as large; 32 random bytes are plenty.
const keySize = 32

// LoadSecret reads the link signing key from path, creating the file with
// a fresh random key (mode 0600) when it does not exist. A file other
// users can read is refused: anyone holding the key can make links. It
// reports whether it created the file.
func LoadSecret(path string) (key []byte, created bool, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case err == nil:
		key = make([]byte, keySize)
		if _, err := rand.Read(key); err != nil {
			_ = f.Close()
			return nil, false, err
		}
		_, werr := f.WriteString(base64.StdEncoding.EncodeToString(key) + "\n")
		serr := f.Sync()
		cerr := f.Close()
		if err := errors.Join(werr, serr, cerr); err != nil {
			_ = os.Remove(path) // half a key must not be read back next time
			return nil, false, fmt.Errorf("write %s: %w", path, err)
		}
		return key, true, nil
	case !errors.Is(err, fs.ErrExist):
		return nil, false, fmt.Errorf("create %s: %w", path, err)
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, false, err
	}
	if !st.Mode().IsRegular() {
		return nil, false, fmt.Errorf("%s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, false, fmt.Errorf("%s can be read by other users (mode %04o); anyone who reads it can make links: chmod 600 %s", path, perm, path)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, false, err
	}
	defer fh.Close()
	b, err := io.ReadAll(io.LimitReader(fh, 4096))
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", path, err)
	}
	key, err = base64.StdEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(key) < keySize {
		return nil, false, fmt.Errorf("%s does not hold a key followup made (expected %d random bytes in base64); delete it to make a new one, which ends every link already sent", path, keySize)
	}
	return key, false, nil
}
