// The kernel-feature probe of `faultbox test`: on the machines the tests run
// on every required feature is there (the other engine tests need them
// too), and a missing one is one line naming it and what needs it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "engine/KernelProbe.h"

using namespace faultbox::engine;

TEST(KernelProbe, ParsesReleases) {
  EXPECT_EQ(parse_kernel_release("6.1.0-18-amd64"), (KernelVersion{6, 1}));
  EXPECT_EQ(parse_kernel_release("5.19.17"), (KernelVersion{5, 19}));
  EXPECT_EQ(parse_kernel_release("6.18.44-fc-v595"), (KernelVersion{6, 18}));
  EXPECT_EQ(parse_kernel_release("garbage"), (KernelVersion{0, 0}));
  EXPECT_LT(parse_kernel_release("5.4.0"), (KernelVersion{5, 19}));
  EXPECT_GT(parse_kernel_release("6.0.1"), (KernelVersion{5, 19}));
}

TEST(KernelProbe, EverythingRequiredIsPresentHere) {
  if (::geteuid() != 0) GTEST_FAIL() << "needs root (cgroups, network namespaces)";
  KernelProbeResult r = probe_kernel();
  EXPECT_FALSE(r.release.empty());
  for (const auto& f : r.features) {
    if (f.required) {
      EXPECT_TRUE(f.present) << f.name << ": " << f.detail;
    }
  }
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.missing_lines().empty());
  // SYNC_WAKE_UP is optional: reported either way, never "missing".
  auto optional = r.optional_lines();
  ASSERT_EQ(optional.size(), 1u);
  EXPECT_NE(optional[0].find("SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP"), std::string::npos);
  if (parse_kernel_release(r.release) >= KernelVersion{6, 6}) {
    EXPECT_NE(optional[0].find(": present"), std::string::npos) << optional[0];
  }
}

TEST(KernelProbe, NamesAMissingCgroupKillAndCleansUp) {
  if (::geteuid() != 0) GTEST_FAIL() << "needs root (cgroups)";
  auto tmp_parent = std::filesystem::temp_directory_path() / ("kernel-probe-" + std::to_string(::getpid()));
  std::filesystem::create_directories(tmp_parent);
  // Not a cgroup: the directory is created and removed, and there is no
  // cgroup.kill in it, so the feature is missing with the cause named.
  KernelProbeResult r = probe_kernel(tmp_parent.string());
  EXPECT_TRUE(std::filesystem::is_empty(tmp_parent));
  std::filesystem::remove(tmp_parent);
  bool found = false;
  for (const auto& line : r.missing_lines())
    if (line.find("cgroup v2 with cgroup.kill") != std::string::npos) {
      found = true;
      EXPECT_NE(line.find("no cgroup.kill in"), std::string::npos) << line;
    }
  EXPECT_TRUE(found);
  EXPECT_FALSE(r.ok());
}

TEST(KernelProbe, FormatsOneLinePerMissingFeature) {
  KernelProbeResult r;
  r.release = "5.10.0-28-amd64";
  r.features = {
      {"Linux >= 5.19", "the seccomp and pidfd features faultbox uses", true, false, "running 5.10.0-28-amd64"},
      {"pidfd_open (5.3)", "watching services", true, true, ""},
      {"unshare(CLONE_NEWNET)", "each run's own network namespace", true, false, "EPERM (Operation not permitted)"},
      {"SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6)", "faster wake-ups; optional", false, false, "EINVAL"},
  };
  EXPECT_FALSE(r.ok());
  auto lines = r.missing_lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0],
            "missing kernel feature: Linux >= 5.19 (needed for the seccomp and pidfd features faultbox uses): "
            "running 5.10.0-28-amd64");
  EXPECT_EQ(lines[1],
            "missing kernel feature: unshare(CLONE_NEWNET) (needed for each run's own network namespace): "
            "EPERM (Operation not permitted)");
  for (const auto& l : lines) EXPECT_EQ(l.find('\n'), std::string::npos);
  // An absent optional feature is not missing, only reported.
  auto optional = r.optional_lines();
  ASSERT_EQ(optional.size(), 1u);
  EXPECT_EQ(optional[0],
            "kernel feature SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (6.6): absent (faster wake-ups; optional)");

  r.features[0].present = true;
  r.features[2].present = true;
  EXPECT_TRUE(r.ok());
  EXPECT_TRUE(r.missing_lines().empty());
}
