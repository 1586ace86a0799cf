#include "engine/CurlGlobal.h"

#include <curl/curl.h>

#include <string>

#include "engine/EngineError.h"

namespace faultbox::engine {

void ensure_curl_initialized() {
  // The result of the one call, remembered so every caller sees the failure.
  static const CURLcode init = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (init != CURLE_OK)
    throw EnvironmentError(std::string("cannot initialise libcurl: ") + curl_easy_strerror(init));
}

}  // namespace faultbox::engine
