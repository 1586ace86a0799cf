// The Docker attach/logs stream format, demultiplexed incrementally.
//
// A container without a TTY gets its stdout and stderr as one byte stream of
// frames: an 8-byte header — stream type (0 stdin, 1 stdout, 2 stderr), three
// zero bytes, the payload length as a big-endian u32 — then the payload.
// Bytes come from the socket in arbitrary chunks, so a header or a payload
// may be split across feeds; payload bytes are handed out as soon as they
// arrive (a large frame is never buffered whole), headers are buffered until
// complete.
//
// Malformed headers (documented policy):
// - at the very start of the stream: the stream is not multiplexed at all —
//   that is what Docker sends for a container created with a TTY — so the
//   demuxer switches to raw mode and everything, from the first byte on, is
//   stdout text;
// - after at least one valid header: the stream is corrupt (or we lost
//   sync). feed() throws EnvironmentError naming the byte offset and the
//   header bytes; the demuxer stays broken and every later feed() throws.
//   Guessing a resync point would interleave garbage into the service's log.
//
// Not thread-safe; one demuxer per stream.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace faultbox::engine {

enum class DockerStream { Stdin, Stdout, Stderr };

// "stdin", "stdout", "stderr".
const char* docker_stream_name(DockerStream stream);

// Payload bytes of one stream. A frame's payload may come in several pieces
// (one per feed it spans); consecutive pieces of one feed from the same
// stream are merged.
struct DockerLogPiece {
  DockerStream stream = DockerStream::Stdout;
  std::string text;
};

class DockerLogDemuxer {
 public:
  static constexpr size_t kHeaderSize = 8;

  // Consumes `size` bytes; returns the payload bytes they carried, in
  // stream order. Throws EnvironmentError on a malformed header after the
  // first (see above).
  std::vector<DockerLogPiece> feed(const char* data, size_t size);

  // True when everything fed so far ends exactly after a whole frame (or
  // the stream is raw): a stream that ends elsewhere was truncated.
  bool at_frame_boundary() const;
  // True once the first header proved the stream is not multiplexed.
  bool raw() const { return raw_; }
  // Bytes consumed so far (for error messages).
  uint64_t offset() const { return offset_; }

 private:
  // Appends to `out`, merging with the last piece when the stream matches.
  static void emit(std::vector<DockerLogPiece>& out, DockerStream stream, const char* data, size_t n);
  // Whether the bytes buffered so far can still be the start of a valid header.
  bool header_prefix_valid() const;

  std::array<unsigned char, kHeaderSize> header_{};
  size_t header_fill_ = 0;       // bytes of the next header buffered so far
  uint64_t payload_left_ = 0;    // bytes of the current frame's payload still to come
  DockerStream current_ = DockerStream::Stdout;
  bool seen_frame_ = false;      // a valid header was read: raw mode is no longer possible
  bool raw_ = false;
  bool broken_ = false;
  uint64_t offset_ = 0;
};

}  // namespace faultbox::engine
