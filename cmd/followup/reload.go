package main

import (
	"bytes"
	"context"
	"crypto/sha256"
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
// the error logged, and the old one stays in force. Only once everything
// built from the new config succeeded is it put in force: in the
// planner, the transport, the web server and the heartbeat's interval.
func (a *app) reloadLocked(ctx context.Context) bool {
	old := a.rt.Load()
	rt, err := a.buildFromFile()
	if err == nil && rt.cfg.Database != old.cfg.Database {
		err = fmt.Errorf("database: changed from %s to %s; restart the daemon to use another database", old.cfg.Database, rt.cfg.Database)
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

// buildFromFile loads the config file once it stopped changing and
// builds a runtime from it.
func (a *app) buildFromFile() (*runtime, error) {
	stable, err := a.stableHash(true)
	if err != nil {
		return nil, err
	}
	cfg, hash, err := a.loadConfig(stable)
	if err != nil {
		return nil, err
	}
	return a.build(cfg, hash)
}

// loadConfig loads the config and checks that the file did not change
// while it was read: what was loaded may otherwise be half of it.
func (a *app) loadConfig(stable [32]byte) (*config.Config, [32]byte, error) {
	cfg, err := a.load()
	if err != nil {
		return nil, [32]byte{}, err
	}
	if a.configPath == "" {
		return cfg, [32]byte{}, nil
	}
	b, err := os.ReadFile(a.configPath)
	if err != nil {
		return nil, [32]byte{}, fmt.Errorf("read config %s: %w", a.configPath, err)
	}
	hash := sha256.Sum256(b)
	if hash != stable {
		return nil, hash, fmt.Errorf("config %s changed while it was read; trying again at the next heartbeat", a.configPath)
	}
	return cfg, hash, nil
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

// configChanged reports whether the config file's content differs from
// what the runtime was built from and has stayed the same since the
// previous heartbeat. An editor or a copy may write the file in several
// steps, and a first part can be valid YAML on its own (an empty file is:
// every default, mail to .eml files); a file that stayed the same for a
// whole heartbeat is one the admin has finished saving. SIGHUP reloads at
// once: the admin says the file is ready.
func (a *app) configChanged() bool {
	if a.configPath == "" {
		return false
	}
	b, err := os.ReadFile(a.configPath)
	if err != nil {
		return false // a file being replaced; look again at the next tick
	}
	h := sha256.Sum256(b)
	if h == a.rt.Load().hash {
		a.seenHash = [32]byte{}
		return false
	}
	if h != a.seenHash {
		a.seenHash = h
		a.logger.Info("config file changed; it is loaded once it stays the same until the next heartbeat", "component", "daemon")
		return false
	}
	a.seenHash = [32]byte{}
	return true
}

// oneLineErr keeps an error on one log line.
func oneLineErr(err error) string {
	return string(bytes.ReplaceAll([]byte(err.Error()), []byte("\n"), []byte("; ")))
}
