package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/mattn/go-sqlite3"
)

// Backup writes a consistent copy of the database to dest through
// SQLite's online backup API, while the daemon keeps running: the copy is
// the database as of one transaction. It is written to a temporary file
// beside dest (0600: it holds every address and message) and moved into
// place only when whole, so a failed backup never leaves half a file, and
// never replaces an older backup unless overwrite is set.
func (db *DB) Backup(ctx context.Context, dest string, overwrite bool) error {
	if !overwrite {
		if _, err := os.Lstat(dest); err == nil {
			return fmt.Errorf("%s: %w (give --force to replace it)", dest, ErrBackupExists)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("backup to %s: %w", dest, err)
		}
	}
	tmpf, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".tmp-*")
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	tmp := tmpf.Name()
	tmpf.Close()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp)
			os.Remove(tmp + "-journal")
		}
	}()
	if err := db.backupTo(ctx, tmp); err != nil {
		// The copy runs on raw connections, outside conn: its errors get
		// their kind here.
		return fmt.Errorf("backup to %s: %w", dest, kindOf(err))
	}
	if err := syncFile(tmp); err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	if overwrite {
		err = os.Rename(tmp, dest)
	} else {
		// A link fails if dest appeared meanwhile: never replace a file
		// the admin did not mean to.
		if err = os.Link(tmp, dest); err == nil {
			os.Remove(tmp)
		} else if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s: %w (give --force to replace it)", dest, ErrBackupExists)
		}
	}
	if err != nil {
		return fmt.Errorf("backup to %s: %w", dest, err)
	}
	ok = true
	return syncDir(filepath.Dir(dest))
}

func (db *DB) backupTo(ctx context.Context, path string) (err error) {
	dst, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=DELETE")
	if err != nil {
		return err
	}
	// Closing the copy is the last write to it: its error counts.
	defer func() {
		if cerr := dst.Close(); err == nil {
			err = cerr
		}
	}()
	dconn, err := dst.Conn(ctx)
	if err != nil {
		return err
	}
	defer dconn.Close()
	sconn, err := db.db.raw.Conn(ctx)
	if err != nil {
		return err
	}
	defer sconn.Close()
	return dconn.Raw(func(d any) error {
		return sconn.Raw(func(s any) error {
			dc, ok1 := d.(*sqlite3.SQLiteConn)
			sc, ok2 := s.(*sqlite3.SQLiteConn)
			if !ok1 || !ok2 {
				return errors.New("not a SQLite connection")
			}
			b, err := dc.Backup("main", sc, "main")
			if err != nil {
				return err
			}
			// All pages in one step: the source is read in one
			// transaction, so the copy is consistent however the daemon
			// writes meanwhile (it waits on the busy timeout).
			if _, err := b.Step(-1); err != nil {
				b.Finish()
				return err
			}
			return b.Finish()
		})
	})
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
