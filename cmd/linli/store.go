package main

import (
	"context"
	"io"
	"time"

	"github.com/linli/linli/matcher/mongo"
)

// openStore opens the store cfg names, starting the embedded one in the
// data folder when no MongoDB URI is set, for commands other than serve.
// close closes the store, then the embedded server.
func openStore(ctx context.Context, cfg *Config, stdout, stderr io.Writer) (store *mongo.Store, close func(), err error) {
	uri := cfg.MongoDB.URI
	stopEmbedded := func() {}
	if uri == "" {
		emb, err := mongo.StartEmbedded(cfg.DataDir, "", newLogger("error", stderr))
		if err != nil {
			return nil, nil, err
		}
		uri, stopEmbedded = emb.URI(), emb.Close
	}
	sealer, err := dataCipher(cfg, stdout)
	if err != nil {
		stopEmbedded()
		return nil, nil, err
	}
	store, err = mongo.Open(ctx, uri, cfg.MongoDB.Database, mongo.WithCipher(sealer))
	if err != nil {
		stopEmbedded()
		return nil, nil, err
	}
	return store, func() {
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = store.Close(cctx)
		stopEmbedded()
	}, nil
}
