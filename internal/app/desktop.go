package app

import "context"

// Desktop is what the desktop app opens: every connection of a data
// directory, each with Env, and the one to show first.
type Desktop struct {
	// Root is the data directory.
	Root string
	Env  Env
	// Connection is the slug of the connection to show first; "" shows the
	// only one, or the list of them when there are several.
	Connection string
	// Opened are connections opened already, such as the demo's, whose
	// keyring lives in memory; the app uses them instead of opening
	// them again, and closes them.
	Opened []*Runtime
}

// OpenDesktop returns the Desktop of the data directory root, which gets
// a connection named DefaultConnection when it has none. A name (or slug)
// picks the connection shown first; it must be one of them.
func OpenDesktop(ctx context.Context, root, name string, env Env) (Desktop, error) {
	conns, err := EnsureConnection(ctx, root, "")
	if err != nil {
		return Desktop{}, err
	}
	d := Desktop{Root: root, Env: env}
	if name != "" {
		conn, err := SelectConnection(conns, name)
		if err != nil {
			return Desktop{}, err
		}
		d.Connection = conn.Slug
	}
	return d, nil
}
