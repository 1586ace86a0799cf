// libcurl's process-wide initialisation, in one documented place.
//
// curl_global_init must run before the first curl handle exists and
// curl_global_cleanup must not run while any handle is alive. Every engine
// part that makes curl handles (HttpClient today, the Docker client later)
// calls ensure_curl_initialized() first; it initialises exactly once per
// process (a function-local static: thread-safe, immutable afterwards) and
// never cleans up — the process exit reclaims everything, and a cleanup
// racing a late handle's destructor is the classic way to crash at exit.
#pragma once

namespace faultbox::engine {

// Throws EnvironmentError if libcurl cannot initialise.
void ensure_curl_initialized();

}  // namespace faultbox::engine
