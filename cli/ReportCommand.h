// faultbox report RESULTS.json... [--json FILE] [--junit FILE]: the JSON
// files of one exploration's shards (`faultbox explore --shard I/N --json F`,
// one per CI matrix job or Indexed Job pod) merged into one answer — the
// union of their class ids, summed counts, completeness only when every
// shard is there and finished, failing classes once each with every trace
// a shard wrote for them. Reads files only: no spec, no services, no root.
#pragma once

#include <string>
#include <vector>

namespace faultbox::cli {

struct ReportOptions {
  std::vector<std::string> inputs;  // explore --json files, any order
  std::string json;                 // --json FILE: the merged result; "" = none
  std::string junit;                // --junit FILE: a testcase per failing class; "" = none
};

// Exit 0 no failing class, 1 a failing class, 2 an input that cannot be
// merged (unreadable, not JSON, not explore's, another exploration's),
// 3 an output file that cannot be written.
int run_report(const ReportOptions& options);

}  // namespace faultbox::cli
