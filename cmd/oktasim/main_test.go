package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunPrintsStartLineAndServes(t *testing.T) {
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"--users", "50", "--groups", "8", "--seed", "2", "--ca-file", caFile, "--api-token", "test-token-1"}, pw, &stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadBytes('\n')
	if err != nil {
		t.Fatalf("read start line: %v (stderr: %s)", err, stderr.String())
	}
	var start map[string]string
	if err := json.Unmarshal(line, &start); err != nil {
		t.Fatalf("start line %q is not JSON: %v", line, err)
	}
	if len(start) != 3 || !strings.HasPrefix(start["url"], "https://127.0.0.1:") || start["ca_file"] != caFile || start["api_token"] != "test-token-1" {
		t.Fatalf("start line %s", line)
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("CA file holds no certificate")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest("GET", start["url"]+"/api/v1/groups?q=Everyone", nil)
	req.Header.Set("Authorization", "SSWS test-token-1")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("request with the written CA: %v", err)
	}
	var groups []struct {
		Type string `json:"type"`
	}
	err = json.NewDecoder(resp.Body).Decode(&groups)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || len(groups) != 1 || groups[0].Type != "BUILT_IN" {
		t.Fatalf("GET groups: %d %v %v", resp.StatusCode, groups, err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("run after cancel: %v", err)
	}
	client.CloseIdleConnections()
	if _, err := client.Do(req.Clone(context.Background())); err == nil {
		t.Error("server still answers after shutdown")
	}
}

func TestRunRejectsBadFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"negative users", []string{"--users", "-1"}, "must not be negative"},
		{"bad latency", []string{"--latency", "2h"}, "--latency"},
		{"negative search lag", []string{"--search-lag", "-1s"}, "--search-lag and --log-delay"},
		{"stray argument", []string{"serve"}, `unexpected argument "serve"`},
		{"unknown flag", []string{"--colour"}, "flag provided but not defined"},
		{"missing fixture", []string{"--fixture", "/nonexistent/org.yaml"}, "fixture"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tc.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want it to mention %q", err, tc.want)
			}
			if stdout.Len() != 0 {
				t.Errorf("printed %q on failure", stdout.String())
			}
		})
	}
}
