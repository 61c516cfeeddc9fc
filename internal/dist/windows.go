package dist

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"image"
	_ "image/png" // the app icon is a PNG
	"os"
	"path/filepath"

	"github.com/fyne-io/image/ico"
	"github.com/josephspurrier/goversioninfo"
)

// manifest asks Windows for no elevation, per-monitor DPI awareness (Fyne
// scales itself) and the Windows 10/11 behaviours, and names the app.
const manifest = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<assembly xmlns="urn:schemas-microsoft-com:asm.v1" manifestVersion="1.0" xmlns:asmv3="urn:schemas-microsoft-com:asm.v3">
  <assemblyIdentity version="%s" processorArchitecture="*" name="%s" type="win32"/>
  <trustInfo xmlns="urn:schemas-microsoft-com:asm.v3">
    <security><requestedPrivileges><requestedExecutionLevel level="asInvoker" uiAccess="false"/></requestedPrivileges></security>
  </trustInfo>
  <compatibility xmlns="urn:schemas-microsoft-com:compatibility.v1">
    <application><supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/></application>
  </compatibility>
  <asmv3:application>
    <asmv3:windowsSettings xmlns="http://schemas.microsoft.com/SMI/2016/WindowsSettings">
      <dpiAwareness>PerMonitorV2, PerMonitor</dpiAwareness>
    </asmv3:windowsSettings>
  </asmv3:application>
</assembly>
`

// Manifest is the application manifest embedded in rolesync.exe.
func Manifest(m Metadata) string {
	v, _ := ParseVersion(m.Details.Version)
	var name bytes.Buffer
	_ = xml.EscapeText(&name, []byte(m.Details.ID))
	return fmt.Sprintf(manifest, fmt.Sprintf("%s.%d", v, max(m.Details.Build, 0)), name.String())
}

// WindowsResources writes the resource object (.syso) that the Go linker
// adds to a Windows build of the package in the same folder: the icon from
// the PNG png, the manifest and the version information. version overrides
// FyneApp.toml's version when set (a release's tag); arch is "amd64" or
// "arm64".
func WindowsResources(out string, m Metadata, png []byte, version, arch string) error {
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		return fmt.Errorf("windows resources: the icon is not a PNG image: %w", err)
	}
	tmp, err := os.MkdirTemp("", "rolesync-winres-")
	if err != nil {
		return fmt.Errorf("windows resources: %w", err)
	}
	defer os.RemoveAll(tmp)

	var icon bytes.Buffer
	if err := ico.Encode(&icon, img); err != nil {
		return fmt.Errorf("windows resources: encode the icon: %w", err)
	}
	iconPath := filepath.Join(tmp, "app.ico")
	manifestPath := filepath.Join(tmp, "app.manifest")
	if err := os.WriteFile(iconPath, icon.Bytes(), 0o600); err != nil {
		return fmt.Errorf("windows resources: %w", err)
	}
	if err := os.WriteFile(manifestPath, []byte(Manifest(m)), 0o600); err != nil {
		return fmt.Errorf("windows resources: %w", err)
	}

	display := m.Details.Version
	if version != "" {
		display = version
	}
	v, err := ParseVersion(display)
	if err != nil {
		// A development build ("devel", a commit) keeps the app's own number.
		v, _ = ParseVersion(m.Details.Version)
	}
	fixed := goversioninfo.FileVersion{Major: v.Major, Minor: v.Minor, Patch: v.Patch, Build: max(m.Details.Build, 0)}

	vi := &goversioninfo.VersionInfo{IconPath: iconPath, ManifestPath: manifestPath}
	vi.FixedFileInfo.FileVersion = fixed
	vi.FixedFileInfo.ProductVersion = fixed
	vi.FixedFileInfo.FileOS = "040004" // VOS_NT_WINDOWS32
	vi.FixedFileInfo.FileType = "01"   // VFT_APP
	vi.StringFileInfo = goversioninfo.StringFileInfo{
		CompanyName:      "rolesync",
		FileDescription:  "rolesync: keep portal users and roles in line with Okta groups",
		FileVersion:      fixed.GetVersionString(),
		InternalName:     m.Details.Name,
		LegalCopyright:   "The rolesync authors",
		OriginalFilename: m.Details.Name + ".exe",
		ProductName:      m.Details.Name,
		// Windows shows the numeric form; a tag's own spelling (v1.2.0-rc.1)
		// is kept in the comments.
		ProductVersion: fixed.GetVersionString(),
		Comments:       "version " + display,
	}
	vi.VarFileInfo.Translation = goversioninfo.Translation{LangID: goversioninfo.LngUSEnglish, CharsetID: goversioninfo.CsUnicode}
	vi.Build()
	vi.Walk()
	if err := vi.WriteSyso(out, arch); err != nil {
		return fmt.Errorf("windows resources: write %s: %w", out, err)
	}
	return nil
}
