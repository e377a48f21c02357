// Starts Berth's console. It is a file, not inline script, so the page can
// run under a strict Content-Security-Policy (script-src 'self'
// 'wasm-unsafe-eval'). scripts/build-frontend writes the hashed paths of
// the wasm-bindgen JS and of the main wasm into this script's URL, so this
// file itself never changes between builds.
const here = new URL(import.meta.url);

// Only ever load from this origin, whatever the query says.
function sameOrigin(name) {
  const url = new URL(name ?? '', here);
  if (url.origin !== here.origin || !name) {
    throw new Error('refusing to load ' + url);
  }
  return url.href;
}

try {
  const { default: init } = await import(sameOrigin(here.searchParams.get('js')));
  const wasm = sameOrigin(here.searchParams.get('wasm'));
  // Fetch the wasm with the same integrity as its preload link: the
  // browser then reuses the preloaded bytes (no second download) and checks
  // them against the hash.
  const preload = [...document.querySelectorAll('link[rel="preload"][as="fetch"]')]
    .find((link) => link.href === wasm);
  await init({ module_or_path: fetch(wasm, { integrity: preload?.integrity ?? '' }) });
} catch (error) {
  // Say something a person can act on instead of leaving a blank page.
  const message = document.createElement('p');
  message.className = 'boot-message';
  message.setAttribute('role', 'alert');
  message.textContent = 'Berth could not start. Reload the page; if that does not help, your browser may be too old.';
  document.body.append(message);
  console.error('Berth could not start:', error);
}
