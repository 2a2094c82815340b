package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"

	"github.com/gin-gonic/gin"
)

// csrfCookie holds a random browser id the form tokens are bound to. It is
// HttpOnly: the page carries the token, scripts never need the cookie.
const csrfCookie = "settlenet_csrf"

// langCookie remembers a visitor's language switch.
const langCookie = "settlenet_lang"

// csrf issues and checks form tokens: HMAC(key, browser id | session hash).
// Binding to the browser cookie stops a forged form from another site
// (which cannot read our pages, so cannot know the token); binding to the
// session as well makes a token from before a login worthless after it.
type csrf struct {
	key    []byte
	secure bool
}

// browserID returns the request's browser id, setting a fresh one when
// there is none (first visit).
func (x *csrf) browserID(c *gin.Context) string {
	if ck, err := c.Request.Cookie(csrfCookie); err == nil && len(ck.Value) == 32 {
		return ck.Value
	}
	if v, ok := c.Get(csrfCookie); ok {
		return v.(string)
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	id := base64.RawURLEncoding.EncodeToString(b[:])
	c.Set(csrfCookie, id)
	http.SetCookie(c.Writer, &http.Cookie{
		Name: csrfCookie, Value: id, Path: "/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: x.secure, SameSite: http.SameSiteLaxMode,
	})
	return id
}

func (x *csrf) mac(id, session string) string {
	m := hmac.New(sha256.New, x.key)
	m.Write([]byte(id))
	m.Write([]byte{0})
	m.Write([]byte(session))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// token is the token to put in the request's forms.
func (x *csrf) token(c *gin.Context, session string) string {
	return x.mac(x.browserID(c), session)
}

// valid checks a submitted token; a request without the browser cookie
// has no valid token (a fresh id was just drawn for it).
func (x *csrf) valid(c *gin.Context, session, sent string) bool {
	ck, err := c.Request.Cookie(csrfCookie)
	if err != nil || len(ck.Value) != 32 || sent == "" {
		return false
	}
	return hmac.Equal([]byte(sent), []byte(x.mac(ck.Value, session)))
}
