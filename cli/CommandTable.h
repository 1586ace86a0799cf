// Every command and flag of faultbox, in one table: `faultbox help` prints
// it and docs/cli.md shows the same table (DESIGN.md §7: one flags table).
// Commands not built yet are listed, marked "not yet available".
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace faultbox::cli {

struct CommandDoc {
  std::string_view name;
  std::string_view usage;    // "faultbox check SPEC"
  std::string_view summary;  // one line
  std::string_view details;  // paragraphs for `faultbox help CMD`
  bool available;
};

struct FlagDoc {
  std::string_view command;  // "" for global flags
  std::string_view flag;     // "--runs N"
  std::string_view what;
  bool available;
};

std::span<const CommandDoc> commands();
std::span<const FlagDoc> flags();
const CommandDoc* find_command(std::string_view name);

// `faultbox --help` / `faultbox help`.
std::string general_help();
// `faultbox help CMD`.
std::string command_help(const CommandDoc& cmd);

constexpr std::string_view kVersion = "0.1.0";  // keep in step with project(VERSION) in CMakeLists.txt

}  // namespace faultbox::cli
