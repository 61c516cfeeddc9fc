package localefix

import "testing"

func TestNeeded(t *testing.T) {
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "C.UTF-8"}, true},
		{map[string]string{"LANG": "C.utf8"}, true},
		{map[string]string{"LC_ALL": "POSIX@euro", "LANG": "en_US.UTF-8"}, true},
		{map[string]string{"LC_MESSAGES": "C.UTF-8"}, true},
		{map[string]string{"LANG": "C"}, false},     // Fyne falls back to English itself
		{map[string]string{"LANG": "POSIX"}, false}, // likewise
		{map[string]string{"LANG": "en_US.UTF-8"}, false},
		{map[string]string{"LANG": "Ca_ES.UTF-8"}, false},
		{map[string]string{"LC_ALL": "en_GB.UTF-8", "LANG": "C.UTF-8"}, false},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "de"}, false},
		{map[string]string{}, false},
	} {
		got := Needed(func(k string) string { return c.env[k] })
		if got != c.want {
			t.Errorf("%v: Needed = %v, want %v", c.env, got, c.want)
		}
	}
}
