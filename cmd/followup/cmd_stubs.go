package main

import (
	"context"
	"fmt"
)

func cmdVersion(ctx context.Context, env *environment, args []string) error {
	fmt.Fprintln(env.stdout, "followup", version)
	return nil
}

// version is set at build time: go build -ldflags "-X main.version=1.2.3".
var version = "dev"
