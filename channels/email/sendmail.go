package email

import (
	"context"
	"io"
)

// smtpDeliver sends one message from from to every address of rcpts through the endpoint,
// writing it with write straight into the DATA stream, so that its files go from the store to
// the server without being held whole. When write fails the message is abandoned (the
// connection is closed without ending DATA, which the server discards) and write's error is
// returned as it is; SMTP failures are *SendError.
func smtpDeliver(ctx context.Context, s Server, cred login, localName string, l link, from string, rcpts []string,
	write func(io.Writer) error) error {
	if len(rcpts) == 0 {
		return permanent("the message has no recipient")
	}
	c, done, err := smtpOpen(ctx, s, cred, localName, l)
	if err != nil {
		return err
	}
	defer done()
	if err := c.Mail(from, nil); err != nil {
		return smtpError(err)
	}
	for _, to := range rcpts {
		if err := c.Rcpt(to, nil); err != nil {
			return smtpError(err)
		}
	}
	dw, err := c.Data()
	if err != nil {
		return smtpError(err)
	}
	if err := write(dw); err != nil {
		return err
	}
	if err := dw.Close(); err != nil {
		return smtpError(err)
	}
	_ = c.Quit()
	return nil
}
