// Command ferretdb runs FerretDB v1.24 (a MongoDB wire-protocol server that
// stores data in PostgreSQL) for local development and tests.
//
// Why a program of our own: `go install .../cmd/ferretdb@v1.24.2` builds a
// binary that panics at start (it needs a generated build/version/version.txt
// that the module does not ship, FerretDB issue 2982). The embeddable package
// github.com/FerretDB/FerretDB/ferretdb has no such check and never creates the
// telemetry reporter (it also marks telemetry disabled and locked).
//
// Usage:
//
//	ferretdb -postgresql-url postgres://user:pass@127.0.0.1:5432/ferretdb [-listen 127.0.0.1:0] [-log-level warn]
//
// Once the server accepts connections it prints exactly one line to stdout:
//
//	ferretdb listening on HOST:PORT
//
// With port 0 the line carries the port the OS picked, so callers can read it
// instead of choosing a free port themselves. Logs go to stderr. SIGINT or
// SIGTERM stops it; it exits 0 after a clean shutdown.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
	"github.com/jackc/pgx/v5"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP host:port to listen on (port 0 picks a free port)")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL URL of the database that stores FerretDB data (required)")
	logLevel := flag.String("log-level", "warn", "log level: debug, info, warn or error")
	exitWithStdin := flag.Bool("exit-with-stdin", false, "stop when standard input closes (the parent process died)")
	flag.Parse()

	if *pgURL == "" {
		fmt.Fprintln(os.Stderr, "ferretdb: -postgresql-url is required")
		flag.Usage()
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: bad -log-level %q: %v\n", *logLevel, err)
		os.Exit(2)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	// A parent that spawns us with a pipe on stdin may die without a chance to
	// signal us (SIGKILL, crash); the pipe closing then stops us too, so no
	// orphaned server outlives it.
	if *exitWithStdin {
		go func() {
			_, _ = io.Copy(io.Discard, os.Stdin)
			stop()
		}()
	}

	// FerretDB opens its PostgreSQL pool lazily, on the first client command, so
	// a wrong URL or a stopped PostgreSQL would only show up as errors in the
	// client. Check it once here so the process fails fast instead.
	if err := pingPostgreSQL(ctx, *pgURL); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: cannot connect to PostgreSQL: %v\n", err)
		os.Exit(1)
	}

	// New binds the listener socket (net.Listen) before it returns, so the
	// address is known and connections queue in the kernel from here on; Run
	// starts accepting them.
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:      ferretdb.ListenerConfig{TCP: *listen},
		Logger:        logger,
		Handler:       "postgresql",
		PostgreSQLURL: *pgURL,
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()

	// MongoDBURI reports the bound address (the real port when -listen used port 0).
	u, err := url.Parse(f.MongoDBURI())
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}

	// The library has no "accepting" hook; dial once so the line below is only
	// printed when a client can really connect.
	if err := waitDial(ctx, u.Host); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("ferretdb listening on %s\n", u.Host)

	// Run returns after ctx is cancelled (signal), the listener is closed and
	// open client connections have ended (FerretDB gives them up to 3 seconds).
	if err := <-done; err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb: %v\n", err)
		os.Exit(1)
	}
}

func pingPostgreSQL(ctx context.Context, pgURL string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()

	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))

	return conn.Ping(ctx)
}

func waitDial(ctx context.Context, addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			return c.Close()
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return fmt.Errorf("listener %s not reachable: %w", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
