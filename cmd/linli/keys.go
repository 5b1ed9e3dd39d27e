package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/linli/linli/matcher/mongo"
)

// dataKeyFile is where the embedded store keeps its generated data key.
const dataKeyFile = "data.key"

// dataCipher builds the cipher that seals residents' personal data from
// data_key and data_keys_old. With no data_key, the embedded store uses the
// key in its data folder, made on the first start; a real MongoDB does not
// start without one, since its data folder is not ours to write keys into.
func dataCipher(cfg *Config, stdout io.Writer) (*mongo.Cipher, error) {
	current := strings.TrimSpace(cfg.DataKey)
	if current == "" && cfg.MongoDB.URI != "" {
		return nil, errors.New("config data_key: is required with mongodb.uri: set LINLI_DATA_KEY to 32 random bytes in base64 " +
			"(make one with `linli keys new-data-key`) and keep it apart from the database")
	}
	if current == "" {
		k, err := embeddedDataKey(cfg.DataDir, stdout)
		if err != nil {
			return nil, err
		}
		current = k
	}
	key, err := mongo.ParseDataKey(current)
	if err != nil {
		return nil, fmt.Errorf("config data_key: %w", err)
	}
	var old [][]byte
	for i, s := range cfg.DataKeysOld {
		if strings.TrimSpace(s) == "" {
			continue
		}
		k, err := mongo.ParseDataKey(s)
		if err != nil {
			return nil, fmt.Errorf("config data_keys_old[%d]: %w", i, err)
		}
		old = append(old, k)
	}
	return mongo.NewCipher(key, old...)
}

// embeddedDataKey reads the data key kept in the data folder, making it
// (mode 0600) on the first start.
func embeddedDataKey(dir string, stdout io.Writer) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("data folder: %w", err)
	}
	path, err := filepath.Abs(filepath.Join(dir, dataKeyFile))
	if err != nil {
		return "", fmt.Errorf("data key file: %w", err)
	}
	b, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(b)), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("data key file: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) { // another process made it meanwhile
		return embeddedDataKey(dir, io.Discard)
	}
	if err != nil {
		return "", fmt.Errorf("data key file: %w", err)
	}
	key := mongo.NewDataKey()
	if _, err := f.WriteString(key + "\n"); err != nil {
		_ = f.Close()
		return "", fmt.Errorf("data key file: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("data key file: %w", err)
	}
	fmt.Fprintf(stdout, "first start: generated the data key that seals residents' personal data in %s\n"+
		"  back it up apart from the data folder: without it that data cannot be read\n", path)
	return key, nil
}

const keysUsage = `Usage:
  linli keys new-data-key              print a fresh data key (base64 of 32 random bytes)
  linli keys rotate-data-key [flags]   re-seal every resident and wish with data_key;
                                       older keys must be listed in data_keys_old
`

// keysCmd runs `linli keys ...`.
func keysCmd(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	verb, args, err := verbOf(args, keysUsage, stderr)
	if verb == "" {
		return err
	}
	switch verb {
	case "new-data-key":
		if len(args) > 0 {
			fmt.Fprint(stdout, keysUsage)
			return nil
		}
		fmt.Fprintln(stdout, mongo.NewDataKey())
		return nil
	case "rotate-data-key":
		return rotateDataKey(ctx, args, env, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "linli keys: unknown command %q\n\n%s", verb, keysUsage)
		return errUsage
	}
}

// rotateDataKey re-seals stored personal data with the current data key.
// It reads the same configuration as serve, so it runs with the settings
// the replicas have after their restart with the new key.
func rotateDataKey(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	cfg, _, err := parseConfig("keys rotate-data-key", args, env, stderr, storeFlags)
	if errors.Is(err, pflag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	a, _, err := openApp(ctx, cfg, stdout, newLogger("warn", cfg.Log.Format, stderr))
	if err != nil {
		return err
	}
	defer a.close()
	c, err := dataCipher(cfg, io.Discard)
	if err != nil {
		return err
	}
	start := time.Now()
	rep, err := a.store.Reseal(ctx)
	fmt.Fprintf(stdout, "re-sealed with data key %s: %d log entries (%d already current) in %s\n",
		c.KeyID(), rep.Entries, rep.Current, time.Since(start).Round(time.Millisecond))
	if err != nil {
		return fmt.Errorf("rotate data key: %w", err)
	}
	fmt.Fprintln(stdout, "every record now opens with data_key alone; data_keys_old may be emptied")
	return nil
}
