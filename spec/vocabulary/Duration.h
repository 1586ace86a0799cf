// Durations as specs write them: Go's time.ParseDuration syntax, a sequence
// of decimal numbers with units ("10s", "250ms", "1m30s", "1.5h"; units ns,
// us, µs, ms, s, m, h). Also used for healthcheck timeouts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultbox::star {

// Nanoseconds, or nullopt with `why` set ("missing unit in duration \"10\"").
std::optional<int64_t> parse_duration(std::string_view text, std::string* why = nullptr);

// "10s", "250ms", "1m30s": the shortest exact spelling, for printing.
std::string format_duration(int64_t ns);

}  // namespace faultbox::star
