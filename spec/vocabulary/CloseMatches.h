// Candidates close to a misspelled name, for messages that list them
// ("unknown errno ECONREFUSED (close matches: ECONNREFUSED)"). Unlike the
// resolver's single "did you mean", a list: errno and syscall names come in
// families of near-twins (EAGAIN/EWOULDBLOCK, send/sendto/sendmsg).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace faultbox::star {

// Up to `max` candidates, nearest first: exact case-insensitive matches,
// then those within an edit distance of max(2, len/3) (case ignored),
// then candidates that contain the name or are contained in it.
std::vector<std::string> close_matches(std::string_view name, const std::vector<std::string>& candidates,
                                       size_t max = 3);

// "a, b or c" / "a" / "" — for messages.
std::string or_list(const std::vector<std::string>& names);

}  // namespace faultbox::star
