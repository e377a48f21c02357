// The flags Debian's Chromium runs with here, for the browser tests and
// bench/tti.mjs alike: no sandbox (the tests run as root in a container),
// and no GPU, QUIC, first-run, background networking, updates or sync
// competing with the page for the machine's two cores.
module.exports = {
  chromiumFlags: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
  ],
};
