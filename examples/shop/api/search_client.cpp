#include "search_client.h"

#include <httplib.h>
#include <sys/socket.h>

namespace shop {
namespace {

std::string describe(httplib::Error error) {
  switch (error) {
    case httplib::Error::Connection: return "search unreachable (connect failed or timed out)";
    case httplib::Error::ConnectionTimeout: return "search unreachable (connect timed out)";
    case httplib::Error::Read: return "search did not answer in time (read failed or timed out)";
    case httplib::Error::Write: return "could not send the request to search";
    default: return "search request failed: " + httplib::to_string(error);
  }
}

}  // namespace

SearchClient::SearchClient(std::string base_url, std::chrono::milliseconds timeout)
    : base_url_(std::move(base_url)), timeout_(timeout) {}

SearchAnswer SearchClient::search(const std::string& query, int limit) const {
  auto start = std::chrono::steady_clock::now();
  SearchAnswer answer;
  auto finish = [&](std::string error) {
    answer.ok = error.empty();
    answer.error = std::move(error);
    answer.elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - start)
                            .count();
    return answer;
  };

  // A client per call: no pooled connection, so every checkout dials search
  // afresh (and each one meets a connect fault, as in production after an
  // idle period). cpp-httplib connects non-blocking and polls, so the
  // connect timeout holds even while a SYN goes unanswered.
  httplib::Client client(base_url_);
  if (!client.is_valid()) return finish("bad SEARCH_URL: " + base_url_);
  // IPv4 only: "localhost" also resolves to ::1, and cpp-httplib tries each
  // address in turn with the full timeout, which would double the worst case.
  client.set_address_family(AF_INET);
  client.set_connection_timeout(timeout_);
  client.set_read_timeout(timeout_);
  client.set_write_timeout(timeout_);

  httplib::Params params{{"q", query}, {"limit", std::to_string(limit)}};
  auto res = client.Get("/search", params, httplib::Headers{});
  if (!res) return finish(describe(res.error()));
  if (res->status != 200)
    return finish("search answered " + std::to_string(res->status));
  try {
    auto body = nlohmann::json::parse(res->body);
    if (body.contains("results") && body["results"].is_array())
      answer.results = body["results"];
    else
      return finish("search answered without results");
  } catch (const nlohmann::json::exception& e) {
    return finish(std::string("search answered bad JSON: ") + e.what());
  }
  return finish("");
}

}  // namespace shop
