package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
)

// KeptMigrationCopies is how many before-migration copies stay beside the
// database. A rollback is wanted soon after an upgrade, to the release just
// before it, so the newest copy is the one that matters; three also cover
// an upgrade across several releases done one step at a time, or a second
// upgrade soon after the first, while bounding the disk they take to three
// times the database (attachments live in it) on a small server.
const KeptMigrationCopies = 3

// MigrationCopyName is the copy of the database at path written before
// migration number version is applied: followup.db.before-0012 is the
// database as the release before migration 0012 left it.
func MigrationCopyName(path string, version int) string {
	return fmt.Sprintf("%s.before-%04d", path, version)
}

// copyBeforeMigration writes a consistent copy of the database beside it
// before migration first (and those after it) are applied, then removes
// the oldest copies past KeptMigrationCopies. A migration that cannot be
// preceded by its copy does not run: the database stays as it was, which
// the previous release still opens.
func (db *DB) copyBeforeMigration(ctx context.Context, first int) error {
	dest := MigrationCopyName(db.path, first)
	// Replaced when present: a copy left by an earlier attempt (a
	// migration that failed and rolled back, or a rollback then a new
	// upgrade) is older than the database it stands for now.
	if err := db.Backup(ctx, dest, true); err != nil {
		return fmt.Errorf("migrate %s: no copy of the database before migration %04d, so nothing was changed: %w", db.path, first, err)
	}
	db.logger.Info("copied the database before migrating it; to go back to the previous release, stop followup and put this copy in place of the database",
		"copy", dest, "migration", fmt.Sprintf("%04d", first))
	removed, err := pruneMigrationCopies(db.path, KeptMigrationCopies)
	for _, r := range removed {
		db.logger.Info("removed an old before-migration copy", "copy", r, "kept", KeptMigrationCopies)
	}
	if err != nil {
		// The copy that matters was written; an old one left behind
		// takes disk space, nothing else.
		db.logger.Warn("an old before-migration copy could not be removed", "err", err)
	}
	return nil
}

var copySuffix = regexp.MustCompile(`^\.before-([0-9]{4,})$`)

// migrationCopies lists the before-migration copies of the database at
// path, oldest (lowest migration) first.
func migrationCopies(path string) ([]string, error) {
	dir, base := filepath.Dir(path), filepath.Base(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	type copyFile struct {
		name    string
		version int
	}
	var copies []copyFile
	for _, e := range entries {
		name := e.Name()
		if len(name) <= len(base) || name[:len(base)] != base || !e.Type().IsRegular() {
			continue
		}
		m := copySuffix.FindStringSubmatch(name[len(base):])
		if m == nil {
			continue
		}
		v, err := strconv.Atoi(m[1])
		if err != nil {
			continue
		}
		copies = append(copies, copyFile{filepath.Join(dir, name), v})
	}
	slices.SortFunc(copies, func(a, b copyFile) int { return a.version - b.version })
	out := make([]string, len(copies))
	for i, c := range copies {
		out[i] = c.name
	}
	return out, nil
}

// pruneMigrationCopies removes all but the keep newest copies, and says
// which it removed.
func pruneMigrationCopies(path string, keep int) (removed []string, err error) {
	copies, err := migrationCopies(path)
	if err != nil {
		return nil, err
	}
	var errs []error
	for len(copies) > keep {
		if err := os.Remove(copies[0]); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		} else {
			removed = append(removed, copies[0])
		}
		copies = copies[1:]
	}
	return removed, errors.Join(errs...)
}
