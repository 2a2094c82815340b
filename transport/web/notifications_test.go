package web_test

import (
	"context"
	"testing"

	"github.com/settlenet/settlenet/domain"
)

// Notifications read in the reader's language: the page phrases what
// happened from the notification's type and detail, and quotes only the
// content's own words (the thread's title).
func TestNotificationsInReadersLanguage(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Olga Owner", "en")
	g := e.group(owner, "Réseau des petits centres", domain.VisibilityOpen)
	fr := e.browser("fr")
	fr.register("Léa Roy", "lea@settlenet.test", "fr")
	lea := e.memberID("lea@settlenet.test")
	e.join(lea, g)
	th, opening := e.thread(lea, g, "Ressources pour l'accueil", "fr")
	// A reply to Léa's thread, and an answer to a reply Léa wrote.
	e.reply(owner, th, "Merci pour le partage")
	other, _ := e.thread(owner, g, "Calendrier des webinaires", "fr")
	mine := e.reply(lea, other, "Je serai là")
	res, err := e.svc.PostReply(context.Background(), domain.Origin{Actor: owner}, other, domain.PostReply{Body: "Parfait", Language: "fr", ReplyTo: mine})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	_ = opening

	p := fr.get("/notifications")
	mustContain(t, "fr notifications", p, "Olga Owner a répondu à votre fil", "Ressources pour l&#39;accueil",
		"Olga Owner a répondu à votre message", "Calendrier des webinaires")
	mustNotContain(t, "fr notifications", p, "replied to", "your thread")
}
