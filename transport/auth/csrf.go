package auth

import (
	"fmt"
	"net/http"
	"net/url"
)

// NewOriginCheck returns Go's cross-origin protection for state-changing
// requests: a browser's Sec-Fetch-Site (or, failing that, Origin) must say
// same-origin or name a trusted origin; requests without either header
// (curl, scripts, other servers) pass, since a browser always sends one of
// them on a cross-site POST and non-browser clients cannot ride a victim's
// cookies. The base URL's origin is trusted explicitly for deployments where
// a proxy rewrites Host.
func NewOriginCheck(baseURL string) (*http.CrossOriginProtection, error) {
	p := http.NewCrossOriginProtection()
	if baseURL != "" {
		u, err := url.Parse(baseURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("base URL %q: not an absolute URL", baseURL)
		}
		if err := p.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("trust %q: %w", baseURL, err)
		}
	}
	return p, nil
}
