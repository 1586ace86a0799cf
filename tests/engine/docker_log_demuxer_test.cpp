// DockerLogDemuxer on hand-made byte streams (no daemon): frames of every
// stream type, headers and payloads split at every possible point, the raw
// fallback for TTY streams and the error for a corrupt header mid-stream.
#include "engine/DockerLogDemuxer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/EngineError.h"

using namespace faultbox::engine;

namespace {

std::string frame(uint8_t stream, const std::string& payload) {
  std::string out;
  out += static_cast<char>(stream);
  out.append(3, '\0');
  auto n = static_cast<uint32_t>(payload.size());
  out += static_cast<char>((n >> 24) & 0xff);
  out += static_cast<char>((n >> 16) & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  out += static_cast<char>(n & 0xff);
  return out + payload;
}

// What a consumer keeps: the text per stream, and everything in order with
// the stream's name in front of each run of one stream (pieces of one
// stream from successive feeds join, as they would in a log file).
struct Collected {
  std::string out, err, in, ordered;
  std::optional<DockerStream> last;
};

void collect(Collected& c, const std::vector<DockerLogPiece>& pieces) {
  for (const auto& p : pieces) {
    switch (p.stream) {
      case DockerStream::Stdout: c.out += p.text; break;
      case DockerStream::Stderr: c.err += p.text; break;
      case DockerStream::Stdin: c.in += p.text; break;
    }
    if (c.last != p.stream) c.ordered += std::string("[") + docker_stream_name(p.stream) + "]";
    c.ordered += p.text;
    c.last = p.stream;
  }
}

// Feeds `bytes` in pieces of `chunk` bytes.
Collected demux(const std::string& bytes, size_t chunk, DockerLogDemuxer& d) {
  Collected c;
  for (size_t pos = 0; pos < bytes.size(); pos += chunk) {
    size_t n = std::min(chunk, bytes.size() - pos);
    collect(c, d.feed(bytes.data() + pos, n));
  }
  return c;
}

}  // namespace

TEST(DockerLogDemuxer, SeparatesStreamsInFrameOrder) {
  std::string bytes = frame(1, "out one\n") + frame(2, "err one\n") + frame(1, "out two\n") + frame(0, "in\n");
  DockerLogDemuxer d;
  Collected c = demux(bytes, bytes.size(), d);
  EXPECT_EQ(c.out, "out one\nout two\n");
  EXPECT_EQ(c.err, "err one\n");
  EXPECT_EQ(c.in, "in\n");
  EXPECT_EQ(c.ordered, "[stdout]out one\n[stderr]err one\n[stdout]out two\n[stdin]in\n");
  EXPECT_TRUE(d.at_frame_boundary());
  EXPECT_FALSE(d.raw());
  EXPECT_EQ(d.offset(), bytes.size());
}

TEST(DockerLogDemuxer, ConsecutiveFramesOfOneStreamMergeWithinAFeed) {
  std::string bytes = frame(1, "a") + frame(1, "b") + frame(2, "c") + frame(1, "d");
  DockerLogDemuxer d;
  auto pieces = d.feed(bytes.data(), bytes.size());
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[0].text, "ab");
  EXPECT_EQ(pieces[1].stream, DockerStream::Stderr);
  EXPECT_EQ(pieces[2].text, "d");
}

TEST(DockerLogDemuxer, EveryChunkSizeGivesTheSameText) {
  // Chunk sizes 1..len cover a header split at each of its 8 bytes and a
  // payload split anywhere, including right after a header.
  std::string bytes = frame(1, "hello-stdout\n") + frame(2, "hello-stderr\n") + frame(1, "") + frame(2, "x") +
                      frame(1, std::string(300, 'p'));
  for (size_t chunk = 1; chunk <= bytes.size(); ++chunk) {
    DockerLogDemuxer d;
    Collected c = demux(bytes, chunk, d);
    ASSERT_EQ(c.out, "hello-stdout\n" + std::string(300, 'p')) << "chunk " << chunk;
    ASSERT_EQ(c.err, "hello-stderr\nx") << "chunk " << chunk;
    ASSERT_EQ(c.ordered, "[stdout]hello-stdout\n[stderr]hello-stderr\nx[stdout]" + std::string(300, 'p'))
        << "chunk " << chunk;
    ASSERT_TRUE(d.at_frame_boundary()) << "chunk " << chunk;
  }
}

TEST(DockerLogDemuxer, PayloadBytesComeOutBeforeTheFrameIsComplete) {
  // A long frame is streamed, not held back until its last byte.
  std::string bytes = frame(2, "0123456789");
  DockerLogDemuxer d;
  auto first = d.feed(bytes.data(), 8 + 4);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].stream, DockerStream::Stderr);
  EXPECT_EQ(first[0].text, "0123");
  EXPECT_FALSE(d.at_frame_boundary());
  auto rest = d.feed(bytes.data() + 12, bytes.size() - 12);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].text, "456789");
  EXPECT_TRUE(d.at_frame_boundary());
}

TEST(DockerLogDemuxer, LengthIsBigEndianAndUsesAllFourBytes) {
  std::string payload(0x010203, 'z');  // 66051 bytes: every length byte matters
  std::string bytes = frame(1, payload) + frame(2, "after");
  EXPECT_EQ(static_cast<unsigned char>(bytes[5]), 0x01);
  EXPECT_EQ(static_cast<unsigned char>(bytes[6]), 0x02);
  EXPECT_EQ(static_cast<unsigned char>(bytes[7]), 0x03);
  DockerLogDemuxer d;
  Collected c = demux(bytes, 4096, d);
  EXPECT_EQ(c.out.size(), payload.size());
  EXPECT_EQ(c.err, "after");
}

TEST(DockerLogDemuxer, ATruncatedStreamIsNotAtAFrameBoundary) {
  std::string bytes = frame(1, "abc");
  for (size_t cut = 1; cut < bytes.size(); ++cut) {
    DockerLogDemuxer d;
    d.feed(bytes.data(), cut);
    EXPECT_FALSE(d.at_frame_boundary()) << "cut after " << cut;
  }
  DockerLogDemuxer empty;
  EXPECT_TRUE(empty.at_frame_boundary());
}

TEST(DockerLogDemuxer, ANonMultiplexedStreamFallsBackToRawStdout) {
  // What Docker sends for a TTY container: plain text, no headers.
  std::string text = "plain tty output\r\nsecond line\r\n";
  for (size_t chunk : {size_t{1}, size_t{3}, text.size()}) {
    DockerLogDemuxer d;
    Collected c = demux(text, chunk, d);
    EXPECT_EQ(c.out, text) << "chunk " << chunk;
    EXPECT_EQ(c.err, "");
    EXPECT_TRUE(d.raw());
    EXPECT_TRUE(d.at_frame_boundary());
  }
}

TEST(DockerLogDemuxer, RawFallbackKeepsHeaderLikeBytesItHeldBack) {
  // Starts like a header (stdout type, zero bytes) and then is not one: the
  // held bytes are text and must not be lost.
  std::string text = std::string("\x01\0\0", 3) + "x rest";
  DockerLogDemuxer d;
  Collected c = demux(text, 1, d);
  EXPECT_TRUE(d.raw());
  EXPECT_EQ(c.out, text);
}

TEST(DockerLogDemuxer, AMalformedHeaderAfterAValidFrameIsAnErrorNamingTheOffset) {
  std::string good = frame(1, "ok\n");
  std::string bytes = good + "\x07garbage";
  DockerLogDemuxer d;
  try {
    d.feed(bytes.data(), bytes.size());
    FAIL() << "a corrupt header mid-stream must throw";
  } catch (const EnvironmentError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("malformed frame header at byte " + std::to_string(good.size())), std::string::npos) << what;
    EXPECT_NE(what.find("07"), std::string::npos) << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
  EXPECT_FALSE(d.at_frame_boundary());
  EXPECT_THROW(d.feed("x", 1), EnvironmentError);
}

TEST(DockerLogDemuxer, NonZeroPaddingIsMalformedToo) {
  std::string bytes = frame(2, "e") + std::string("\x01\0\x01\0\0\0\0\x01", 8) + "y";
  DockerLogDemuxer d;
  EXPECT_THROW(demux(bytes, 1, d), EnvironmentError);
}
