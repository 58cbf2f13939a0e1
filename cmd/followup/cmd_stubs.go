package main

import (
	"context"
	"errors"
	"fmt"
)

// daemonHooks lets tests observe the daemon; nil in production.
type daemonHooks struct{}

var errNotYet = errors.New("not built yet")

func cmdRun(ctx context.Context, env *environment, args []string) error     { return errNotYet }
func cmdPreview(ctx context.Context, env *environment, args []string) error { return errNotYet }
func cmdSend(ctx context.Context, env *environment, args []string) error    { return errNotYet }
func cmdGen(ctx context.Context, env *environment, args []string) error     { return errNotYet }

func cmdVersion(ctx context.Context, env *environment, args []string) error {
	fmt.Fprintln(env.stdout, "followup", version)
	return nil
}

var version = "dev"
