package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/followup-app/followup/config"
)

// reloadNow reloads the config at once (SIGHUP: the admin says the file
// is ready). It reports whether the new config took over.
func (a *app) reloadNow(ctx context.Context) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.reloadLocked(ctx)
}

// reloadLocked loads the config again; an invalid one is refused, with
// the error logged, and one the reload rule holds (configdiff.go) waits
// for the admin's confirmation: either way the old one stays in force.
// Only once everything built from the new config succeeded is it put in
// force: in the planner, the transport, the web server and the
// heartbeat's interval.
func (a *app) reloadLocked(ctx context.Context) bool {
	old := a.rt.Load()
	cfg, text, hash, err := a.loadFile()
	if err == nil && cfg.Database != old.cfg.Database {
		err = fmt.Errorf("database: changed from %s to %s; restart the daemon to use another database", old.cfg.Database, cfg.Database)
	}
	if err == nil && a.configPath != "" {
		// Before anything is built from it: a held file creates no
		// folder of .eml files, no transport.
		var held bool
		if held, err = a.hold(ctx, old, cfg, text, hash); err == nil && held {
			return false
		}
	}
	var rt *runtime
	if err == nil {
		rt, err = a.build(cfg, text, hash)
	}
	if err == nil {
		err = prepare(ctx, rt.cfg, a.db, a.logger, a.env)
	}
	if err != nil {
		a.logger.Error("config reload refused; the previous config stays in force", "component", "daemon", "err", oneLineErr(err))
		// Remember the broken file's hash so the error is logged once, not
		// at every heartbeat.
		if a.configPath != "" {
			if b, rerr := os.ReadFile(a.configPath); rerr == nil {
				cp := *old
				cp.hash = sha256.Sum256(b)
				a.rt.Store(&cp)
			}
		}
		return false
	}
	if a.configPath != "" {
		if err := a.db.SetApplied(ctx, rt.text); err != nil {
			a.logger.Error("could not record the config in force; followup config diff compares with the previous one", "component", "daemon", "err", err)
		}
	}
	a.heldHash = [32]byte{}
	a.rt.Store(rt)
	if a.web != nil {
		a.web.SetConfig(rt.cfg)
	}
	if err := a.beat.SetInterval(rt.cfg.Schedules.Heartbeat); err != nil {
		a.logger.Error("could not change the heartbeat", "component", "daemon", "err", err)
	}
	a.logger.Info("config reloaded", "component", "daemon", "config", a.configPath)
	if changes := MailChanges(old.cfg, rt.cfg); len(changes) > 0 {
		// Mail may now go nowhere, or no longer to someone: say so loudly,
		// and keep it for the next overview to tell the coordinator.
		a.logger.Warn("the reload changes where mail goes", "component", "daemon", "changes", strings.Join(changes, "; "))
		if err := a.db.RecordMailChange(ctx, strings.Join(changes, "\n")); err != nil {
			a.logger.Error("could not record the change to where mail goes", "component", "daemon", "err", err)
		}
	}
	return true
}

// hold applies the reload rule (configdiff.go): it reports whether the
// new file waits for the admin's confirmation, and records and logs it
// (once per file) when it does. A file the admin confirmed with followup
// config apply is never held.
func (a *app) hold(ctx context.Context, old *runtime, cfg *config.Config, text []byte, hash [32]byte) (bool, error) {
	d, err := diffConfigs(ctx, a.db, old.text, text, old.cfg, cfg)
	if err != nil {
		return false, err
	}
	reasons := d.holdReasons()
	if len(reasons) == 0 {
		return false, nil
	}
	hexHash := hex.EncodeToString(hash[:])
	confirmed, err := a.db.ReloadConfirmed(ctx)
	if err != nil {
		return false, err
	}
	if confirmed == hexHash {
		a.logger.Info("applying a config the admin confirmed", "component", "daemon", "changes", strings.Join(reasons, "; "))
		return false, nil
	}
	if a.heldHash != hash {
		a.logger.Warn("config reload held: the file in force stays until the admin confirms this one "+
			"(followup config diff shows what it changes; followup config apply applies it); it may also be a file still being written",
			"component", "daemon", "config", a.configPath, "reasons", strings.Join(reasons, "; "))
	}
	a.heldHash = hash
	if err := a.db.HoldReload(ctx, hexHash, reasons); err != nil {
		a.logger.Error("could not record the held reload", "component", "daemon", "err", err)
	}
	return true, nil
}

// loadFile loads the config file once it stopped changing.
func (a *app) loadFile() (*config.Config, []byte, [32]byte, error) {
	stable, err := a.stableHash(true)
	if err != nil {
		return nil, nil, [32]byte{}, err
	}
	return a.loadConfig(stable)
}

// loadConfig loads the config and checks that the file did not change
// while it was read: what was loaded may otherwise be half of it. It
// returns the file's text and hash with it.
func (a *app) loadConfig(stable [32]byte) (*config.Config, []byte, [32]byte, error) {
	cfg, err := a.load()
	if err != nil {
		return nil, nil, [32]byte{}, err
	}
	if a.configPath == "" {
		return cfg, nil, [32]byte{}, nil
	}
	b, err := os.ReadFile(a.configPath)
	if err != nil {
		return nil, nil, [32]byte{}, fmt.Errorf("read config %s: %w", a.configPath, err)
	}
	hash := sha256.Sum256(b)
	if hash != stable {
		return nil, nil, hash, fmt.Errorf("config %s changed while it was read; trying again at the next heartbeat", a.configPath)
	}
	return cfg, b, hash, nil
}

// stableHash is the config file's hash: at start, as it is (the admin is
// not editing it); on a reload, once it stopped changing.
func (a *app) stableHash(reload bool) ([32]byte, error) {
	if !reload {
		return a.settle(1)
	}
	return a.settle(settleTries)
}

// settle waits until the config file stops changing: an editor or a copy
// may be writing it right now, and a half-written file can be valid YAML
// that silently drops a section. With tries 1 it reads the file once.
func (a *app) settle(tries int) ([32]byte, error) {
	var last [32]byte
	if a.configPath == "" {
		return last, nil
	}
	for i := 0; i < tries; i++ {
		b, err := os.ReadFile(a.configPath)
		if err != nil {
			return last, fmt.Errorf("read config %s: %w", a.configPath, err)
		}
		h := sha256.Sum256(b)
		if i > 0 && h == last || tries == 1 {
			return h, nil
		}
		last = h
		time.Sleep(settleStep)
	}
	return last, fmt.Errorf("config %s keeps changing; trying again at the next heartbeat", a.configPath)
}

// settleStep is how long the config file must stay unchanged before a
// SIGHUP reload reads it (real time: an editor's write does not follow a
// fake clock), and settleTries how many steps it may take.
const (
	settleStep  = 100 * time.Millisecond
	settleTries = 20
)

// What a heartbeat finds of the config file (configState).
const (
	configSame      = iota // the file in force, or one not to look at again yet
	configEdited           // changed, and the same since the previous heartbeat
	configConfirmed        // the held file, which the admin has confirmed
)

// configState looks at the config file at a heartbeat. A changed file is
// loaded once it stayed the same since the previous heartbeat: an editor
// or a copy may write it in several steps, and a first part can be valid
// YAML on its own (an empty file is: every default, mail to .eml files).
// That alone cannot tell a finished file from a writer that pauses
// longer than a heartbeat: the reload rule (configdiff.go) does. A held
// file is looked at again only when the admin confirmed it; a file back
// to the one in force ends the hold. SIGHUP reloads at once.
func (a *app) configState(ctx context.Context) int {
	if a.configPath == "" {
		return configSame
	}
	b, err := os.ReadFile(a.configPath)
	if err != nil {
		return configSame // a file being replaced; look again at the next tick
	}
	h := sha256.Sum256(b)
	switch h {
	case a.rt.Load().hash:
		a.seenHash = [32]byte{}
		if a.heldHash != [32]byte{} {
			a.heldHash = [32]byte{}
			a.logger.Info("the config file is the one in force again; the held reload is dropped", "component", "daemon")
			if err := a.db.ClearHeldReload(ctx); err != nil {
				a.logger.Error("could not clear the held reload", "component", "daemon", "err", err)
			}
		}
		return configSame
	case a.heldHash:
		a.seenHash = [32]byte{}
		confirmed, err := a.db.ReloadConfirmed(ctx)
		if err == nil && confirmed == hex.EncodeToString(h[:]) {
			return configConfirmed
		}
		return configSame
	}
	if h != a.seenHash {
		a.seenHash = h
		a.logger.Info("config file changed; it is loaded once it stays the same until the next heartbeat", "component", "daemon")
		return configSame
	}
	a.seenHash = [32]byte{}
	return configEdited
}

// oneLineErr keeps an error on one log line.
func oneLineErr(err error) string {
	return string(bytes.ReplaceAll([]byte(err.Error()), []byte("\n"), []byte("; ")))
}
