package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"youthlink/bot"
	"youthlink/config"
	"youthlink/handlers"
	"youthlink/storage"
)

// app is YouthLink wired together: store, engine, outbox and handlers.
type app struct {
	cfg     *config.Config
	db      *storage.DB
	log     *slog.Logger
	router  *bot.Router
	engine  *bot.Engine
	outbox  *bot.Outbox
	senders map[bot.Platform]bot.Sender
	limits  map[bot.Platform]bot.Limits
	now     func() time.Time
}

// appOptions tune openApp for verbs and tests.
type appOptions struct {
	db      string // SQLite path or postgres:// URL overriding the config (see openStore)
	log     io.Writer
	now     func() time.Time
	analyze func(string) bot.Topics
	// existing refuses a SQLite file that is not there (verbs that only read: opening it would
	// create an empty database, and a mistyped -db would look like an empty record).
	existing bool
}

// loadConfig reads the config file; an empty path means config.yaml when it exists, else defaults.
func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		c, err := config.Load("config.yaml")
		if err == nil {
			return c, nil
		}
		if ce, ok := err.(*config.Error); ok && strings.Contains(ce.Problem, "不存在") {
			return config.Default(), nil
		}
		return nil, err
	}
	return config.Load(path)
}

// noConfig is a note for errors that a missing config entry may explain: "" when a file was
// loaded, else which file was looked for and that the defaults are in use.
func noConfig(cfg *config.Config) string {
	if cfg.Path() != "" {
		return ""
	}
	abs, err := filepath.Abs("config.yaml")
	if err != nil {
		abs = "config.yaml"
	}
	return fmt.Sprintf("（没有找到配置文件 %s，用的是默认配置：可以把仓库里的 config.yaml 复制到这里，或用 -config 指定配置文件）", abs)
}

// openApp opens the store, loads the roster from the config and builds the engine.
func openApp(ctx context.Context, cfg *config.Config, o appOptions) (*app, error) {
	if o.now == nil {
		o.now = time.Now
	}
	if o.log == nil {
		o.log = io.Discard
	}
	level := map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}[cfg.Log.Level]
	log := slog.New(slog.NewTextHandler(o.log, &slog.HandlerOptions{Level: level}))
	if o.existing {
		if err := storeExists(cfg, o.db); err != nil {
			return nil, err
		}
	}
	db, err := openStore(ctx, cfg, o.db)
	if err != nil {
		return nil, err
	}
	db.Now = o.now
	db.DeferRollups(time.Second) // the engine settles when idle; see storage.DB.DeferRollups
	if err := syncRoster(ctx, db, cfg); err != nil {
		db.Close()
		return nil, err
	}
	a := &app{cfg: cfg, db: db, log: log, router: bot.NewRouter(), now: o.now,
		senders: map[bot.Platform]bot.Sender{}, limits: map[bot.Platform]bot.Limits{}}
	ask, err := newAsker(ctx, a)
	if err != nil {
		db.Close()
		return nil, err
	}
	handlers.Register(a.router, handlers.Options{
		Store: db, Policy: cfg.Policy(), Asker: ask, BotName: cfg.Bot.Name, Intro: cfg.Bot.Intro, Now: o.now, Log: log,
	})
	a.outbox = bot.NewOutbox(db, a.senders, a.limits, bot.OutboxOptions{Log: log, Now: o.now})
	a.engine = bot.NewEngine(bot.Options{
		Store: db, Router: a.router, Outbox: a.outbox, Analyze: o.analyze, Log: log, Now: o.now,
		HandlerTimeout: cfg.Bot.HandlerTimeout,
	})
	return a, nil
}

// openStore opens the store the configuration names: SQLite at storage.path, or PostgreSQL at
// the DSN in the environment variable storage.dsn_env. override (the -db flag) replaces it: a
// postgres:// URL opens PostgreSQL, anything else is a SQLite file.
func openStore(ctx context.Context, cfg *config.Config, override string) (*storage.DB, error) {
	switch {
	case isPostgres(override):
		return openPostgres(ctx, override)
	case override == "" && cfg.Storage.Driver == "postgres":
		dsn, err := cfg.PostgresDSN()
		if err != nil {
			return nil, err
		}
		return openPostgres(ctx, dsn)
	}
	path := override
	if path == "" {
		path = cfg.Storage.Path
	}
	db, err := storage.Open(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("打开数据库 %s：%w", filepath.Base(path), err)
	}
	return db, nil
}

// storeExists says when the SQLite file openStore would open is not there; PostgreSQL always passes.
func storeExists(cfg *config.Config, override string) error {
	if isPostgres(override) || override == "" && cfg.Storage.Driver == "postgres" {
		return nil
	}
	path := override
	if path == "" {
		path = cfg.Storage.Path
	}
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("数据库文件%s不存在（检查 -db 或配置的 storage.path）", showPath(path))
	}
	return nil
}

func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func openPostgres(ctx context.Context, dsn string) (*storage.DB, error) {
	db, err := storage.OpenPostgres(ctx, dsn)
	if err != nil {
		return nil, fmt.Errorf("连接 PostgreSQL 数据库：%w", err)
	}
	return db, nil
}

// addAdapter registers a platform's sender with its limits.
func (a *app) addAdapter(p bot.Platform, s bot.Sender, l bot.Limits) {
	a.senders[p] = s
	a.limits[p] = l
}

// start runs the engine and outbox in the background; stop ends them and waits.
func (a *app) start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); a.engine.Run(ctx) }()
	go func() { defer wg.Done(); a.outbox.Run(ctx) }()
	return func() { cancel(); wg.Wait() }
}

// settle waits until every delivered event is handled and the outbox has sent what it may.
func (a *app) settle(ctx context.Context) error {
	if err := a.engine.Wait(ctx); err != nil {
		return err
	}
	_, err := a.outbox.Pass(ctx)
	return err
}

func (a *app) close() error { return a.db.Close() }

// syncRoster writes the committees, cadres and account owners of the config into the store.
func syncRoster(ctx context.Context, db *storage.DB, cfg *config.Config) error {
	for _, c := range cfg.Committees {
		if _, err := db.PutCommittee(ctx, c.Name, c.Parent, c.Level); err != nil {
			return fmt.Errorf("同步团委：%w", err)
		}
	}
	for _, c := range cfg.Cadres {
		cd := storage.Cadre{Name: c.Name, Kind: c.Kind, Target: config.TargetFor(c.Kind, c.Target)}
		if _, err := db.PutCadre(ctx, cd, c.Committee); err != nil {
			return fmt.Errorf("同步团干部：%w", err)
		}
	}
	for _, ac := range cfg.Accounts {
		p := bot.Platform(ac.Platform)
		if err := db.SetAccountOwner(ctx, p, ac.Account, ac.Cadre); err != nil {
			return fmt.Errorf("同步机器人账号：%w", err)
		}
	}
	return nil
}
