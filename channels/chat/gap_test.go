package chat_test

import (
	"context"
	"io"
	"net"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley/channels/chat"
)

// cutProxy forwards TCP connections to PostgreSQL. cut breaks every connection through it and
// refuses new ones until mend: a PostgreSQL outage for its clients only.
type cutProxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	down  bool
	conns []net.Conn
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	go p.accept()
	t.Cleanup(func() { _ = ln.Close(); p.cut() })
	return p
}

func (p *cutProxy) accept() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			p.mu.Unlock()
			_ = c.Close()
			continue
		}
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		pipe := func(dst, src net.Conn) {
			_, _ = io.Copy(dst, src)
			_ = dst.Close()
			_ = src.Close()
		}
		go pipe(up, c)
		go pipe(c, up)
	}
}

func (p *cutProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func (p *cutProxy) mend() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// listenThrough returns a pool (never used for queries) whose settings connect through a
// cutProxy to the test's database: the LISTEN connection of a node built on it can be cut
// while the node's store goes on working.
func (e *env) listenThrough(t *testing.T) (*pgxpool.Pool, *cutProxy) {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(e.url)
	if err != nil {
		t.Fatal(err)
	}
	p := newCutProxy(t, net.JoinHostPort(cfg.ConnConfig.Host, strconv.Itoa(int(cfg.ConnConfig.Port))))
	cfg.ConnConfig.Host = "127.0.0.1"
	cfg.ConnConfig.Port = uint16(p.ln.Addr().(*net.TCPAddr).Port)
	cfg.ConnConfig.Fallbacks = nil
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool, p
}

// An agent's reply committed while the process's LISTEN connection is down is never pushed.
// The visitor writes meanwhile, and its acknowledgement (sent straight to the socket) moves the
// widget's last id past the reply. When the feed is back the socket is dropped, and the
// reconnection's replay must still bring the reply, before anything newer.
func TestReplyMissedWhileFeedDownIsReplayedDespiteLaterAck(t *testing.T) {
	t.Parallel()
	e := setup(t)
	listen, proxy := e.listenThrough(t)
	n := e.nodeListening(t, chat.Config{Store: e.store}, listen)
	in := e.chatInbox(t, chat.Settings{})
	agent := e.agent(t, "Ada Agent")

	v := dial(t, n, in.ID)
	w := v.hello(chat.Hello{})
	first := v.say("c1", "hello")
	conv := mustMessage(t, e, first.ID).ConversationID

	proxy.cut()
	missed := e.reply(t, conv, agent, "sorry for the wait")
	v.send("c2", "are you there?")
	last := first.ID // the widget's last id: the highest it was shown
	for {
		f := v.read()
		if f.Type != "message" {
			continue
		}
		if f.ID == missed.ID {
			t.Fatal("the reply was pushed although the feed was down: the outage did not hold")
		}
		last = max(last, f.ID)
		if f.ClientID == "c2" {
			break
		}
	}
	if last < missed.ID {
		t.Fatalf("the acknowledgement %d is not after the reply %d", last, missed.ID)
	}

	proxy.mend()
	for _, f := range v.untilDropped() {
		last = max(last, f.ID)
	}

	v2 := dial(t, n, in.ID)
	v2.hello(chat.Hello{Token: w.Token, LastID: last})
	later := e.reply(t, conv, agent, "still there?")
	for {
		got := v2.message()
		if got.ID == missed.ID {
			break
		}
		if got.ID == later.ID {
			t.Fatalf("gap: reply %d never came after reconnecting with last_id %d; the next reply %d did", missed.ID, last, later.ID)
		}
	}
	if got := v2.message(); got.ID != later.ID {
		t.Fatalf("after the replay got %+v, want the live reply %d", got, later.ID)
	}
}
