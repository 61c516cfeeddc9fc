package config

import (
	"strings"
	"testing"
)

// scimConfig returns a valid configuration with a SCIM target.
func scimConfig() Config {
	c := valid()
	c.Target = Target{Kind: TargetSCIM, BaseURL: "https://portal.example.com/scim/v2"}
	return c
}

func TestTargetConcurrencyValidate(t *testing.T) {
	for _, n := range []int{0, 1, 4, 16} {
		c := scimConfig()
		c.Target.Concurrency = n
		if err := c.Validate(); err != nil {
			t.Errorf("concurrency %d: %v", n, err)
		}
	}
	for _, n := range []int{-1, 17, 100} {
		c := scimConfig()
		c.Target.Concurrency = n
		err := c.Validate()
		if err == nil {
			t.Fatalf("concurrency %d: no error", n)
		}
		for _, w := range []string{"target.concurrency:", "SCIM requests at a time is outside 1 to 16", "use 1 to 16, or leave it out for 4"} {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("concurrency %d: error %q does not mention %q", n, err, w)
			}
		}
	}
}

func TestTargetConcurrencyParseAndExport(t *testing.T) {
	c := scimConfig()
	c.Target.Concurrency = 8
	data, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "concurrency: 8") {
		t.Fatalf("export does not hold the concurrency:\n%s", data)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if got.Target.Concurrency != 8 {
		t.Fatalf("round trip concurrency = %d, want 8", got.Target.Concurrency)
	}
	c.Target.Concurrency = 0
	data, err = c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	got, err = Parse(data)
	if err != nil || got.Target.Concurrency != 0 {
		t.Fatalf("left out: concurrency = %d, %v", got.Target.Concurrency, err)
	}
}
