#include "scheduler/Dependence.h"

#include <algorithm>

namespace faultbox::scheduler {

namespace {

// A driver fiber is "test" on the wire: services name every driver peer so.
std::string link_end(const std::string& host) { return is_driver_host(host) ? "test" : host; }

std::string link(const std::string& a, const std::string& b) {
  return a < b ? "link:" + a + "~" + b : "link:" + b + "~" + a;
}

bool is_path(const std::string& r) { return !r.empty() && (r.front() == '/' || r.front() == '$'); }

}  // namespace

Footprint footprint_of(const traces::EventIdentity& id) {
  Footprint f;
  f.service = id.host;
  const std::string& r = id.resource;
  std::vector<std::string>& out = f.resources;
  if (r.empty() || r == "-") {
    // clone, or a driver event without a peer: the service alone orders it
  } else if (is_path(r)) {
    out.push_back("file:" + r);
  } else if (r.rfind("unix:", 0) == 0) {
    out.push_back("file:" + r.substr(5));
  } else if (r.rfind("ext:", 0) == 0) {
    out.push_back(r);
  } else {
    // "redis.main", "api" (a client end), "test": the peer's service is
    // what comes before the first '.'.
    const std::string peer = r.substr(0, r.find('.'));
    const std::string self = link_end(id.host);
    if (id.action == "accept" || id.action == "accept4") {
      // The resource is the service's own interface; the peer is unknown
      // until the accept returns, so the accept touches every link to it.
      out.push_back("listen:" + self);
    } else {
      out.push_back(link(self, link_end(peer)));
      // A connect, a held SYN's release (DecisionLoop: the delayed
      // connection arrives) and any driver step (libcurl may open a
      // connection for it) land in the peer's backlog.
      if (id.action == "connect" || id.action == "syn" || is_driver_host(id.host)) out.push_back("listen:" + peer);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return f;
}

bool dependent(const Footprint& a, const Footprint& b) {
  if (a.service == b.service) return true;
  // An accept takes a connection from any client, so it is dependent with
  // every link event of its service's peers — covered by "same service" on
  // its own side; on the client side, with listen:S.
  auto i = a.resources.begin();
  auto j = b.resources.begin();
  while (i != a.resources.end() && j != b.resources.end()) {
    if (*i == *j) return true;
    if (*i < *j)
      ++i;
    else
      ++j;
  }
  return false;
}

std::string process_of(const traces::EventIdentity& id) {
  return id.thread.empty() ? id.host : id.host + "@t" + id.thread;
}

bool is_driver_host(const std::string& host) { return host == "test" || host.rfind("test/", 0) == 0; }

std::string held_syn_thread(const std::string& connecting_thread) {
  return connecting_thread.empty() ? "syn" : connecting_thread + "~syn";
}

}  // namespace faultbox::scheduler
