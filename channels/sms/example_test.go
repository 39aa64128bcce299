package sms_test

import (
	"context"
	"fmt"

	"github.com/parleyhq/parley/channels/sms"
	"github.com/parleyhq/parley/channels/sms/smstest"
)

// Send a reply through a fake Twilio, as a deliver worker would through the
// real one.
func ExampleClient_Send() {
	twilio := smstest.NewServer(accountSID, authToken)
	defer twilio.Close()

	c, err := sms.NewClient(sms.Config{AccountSID: accountSID, AuthToken: authToken, APIURL: twilio.URL})
	if err != nil {
		panic(err)
	}
	sent, err := c.Send(context.Background(), sms.Outbound{
		From: "+14155550100",
		To:   "+447700900123",
		Body: "Your order shipped today.",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(sent.Status, twilio.Messages()[0].Body)
	// Output: queued Your order shipped today.
}

// Verify and parse an incoming SMS in a webhook handler; a *RequestError
// carries the status to answer instead.
func ExampleVerifyRequest() {
	r := smstest.NewSignedRequest(authToken, "https://parley.example/webhooks/twilio/sms",
		smstest.InboundForm(smstest.SMS{AccountSID: accountSID, From: "+447700900123", To: "+14155550100", Body: "stop"}))

	form, err := sms.VerifyRequest(r, "https://parley.example", authToken)
	if err != nil {
		panic(err)
	}
	in, err := sms.ParseInbound(form)
	if err != nil {
		panic(err)
	}
	// Store in, then answer 200 with sms.EmptyTwiML as text/xml.
	fmt.Println(in.From, sms.Keyword(in.Body))
	// Output: +447700900123 opt-out
}

func ExampleAdvances() {
	fmt.Println(sms.Advances("sent", "delivered"), sms.Advances("delivered", "sent"))
	// Output: true false
}
