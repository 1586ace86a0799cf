#include "engine/DockerLogDemuxer.h"

#include <algorithm>
#include <cstdio>

#include "engine/EngineError.h"

namespace faultbox::engine {

const char* docker_stream_name(DockerStream stream) {
  switch (stream) {
    case DockerStream::Stdin: return "stdin";
    case DockerStream::Stdout: return "stdout";
    case DockerStream::Stderr: return "stderr";
  }
  return "unknown";
}

void DockerLogDemuxer::emit(std::vector<DockerLogPiece>& out, DockerStream stream, const char* data, size_t n) {
  if (n == 0) return;
  if (!out.empty() && out.back().stream == stream) {
    out.back().text.append(data, n);
    return;
  }
  out.push_back(DockerLogPiece{stream, std::string(data, n)});
}

bool DockerLogDemuxer::header_prefix_valid() const {
  // Judged byte by byte so a TTY stream switches to raw mode on its first
  // byte and does not wait for eight of them.
  if (header_fill_ >= 1 && header_[0] > 2) return false;
  for (size_t i = 1; i < std::min<size_t>(header_fill_, 4); ++i)
    if (header_[i] != 0) return false;
  return true;
}

bool DockerLogDemuxer::at_frame_boundary() const {
  if (raw_) return true;
  return !broken_ && header_fill_ == 0 && payload_left_ == 0;
}

std::vector<DockerLogPiece> DockerLogDemuxer::feed(const char* data, size_t size) {
  std::vector<DockerLogPiece> out;
  if (broken_)
    throw EnvironmentError("docker log stream: fed again after a malformed frame header at byte " +
                           std::to_string(offset_ - header_fill_));
  size_t pos = 0;
  while (pos < size) {
    if (raw_) {
      emit(out, DockerStream::Stdout, data + pos, size - pos);
      offset_ += size - pos;
      break;
    }
    if (payload_left_ > 0) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(payload_left_, size - pos));
      emit(out, current_, data + pos, n);
      payload_left_ -= n;
      pos += n;
      offset_ += n;
      continue;
    }
    header_[header_fill_++] = static_cast<unsigned char>(data[pos++]);
    ++offset_;
    if (!header_prefix_valid()) {
      if (!seen_frame_) {
        // Not multiplexed (a TTY container): the bytes held as a header
        // were text too.
        raw_ = true;
        emit(out, DockerStream::Stdout, reinterpret_cast<const char*>(header_.data()), header_fill_);
        header_fill_ = 0;
        continue;
      }
      broken_ = true;
      std::string bytes;
      for (size_t i = 0; i < header_fill_; ++i) {
        char hex[4];
        std::snprintf(hex, sizeof hex, i ? " %02x" : "%02x", header_[i]);
        bytes += hex;
      }
      throw EnvironmentError("docker log stream: malformed frame header at byte " +
                             std::to_string(offset_ - header_fill_) + " (" + bytes +
                             "; expected a stream type 0-2 and three zero bytes)");
    }
    if (header_fill_ == kHeaderSize) {
      current_ = static_cast<DockerStream>(header_[0]);
      payload_left_ = (uint64_t{header_[4]} << 24) | (uint64_t{header_[5]} << 16) | (uint64_t{header_[6]} << 8) |
                      uint64_t{header_[7]};
      header_fill_ = 0;
      seen_frame_ = true;
    }
  }
  return out;
}

}  // namespace faultbox::engine
