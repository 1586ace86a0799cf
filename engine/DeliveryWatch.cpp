#include "engine/DeliveryWatch.h"

#include <sys/socket.h>
#include <unistd.h>

#include "scheduler/SocketProgress.h"

namespace faultbox::engine {

DeliveryWatch::~DeliveryWatch() {
  for (int fd : lingering_) ::close(fd);
}

void DeliveryWatch::opened(int fd) { open_.insert(fd); }

int DeliveryWatch::close(int fd) {
  open_.erase(fd);
  if (::shutdown(fd, SHUT_WR) == 0 && !scheduler::output_delivered(fd)) {
    lingering_.insert(fd);
    prune();
    return 0;
  }
  prune();
  return ::close(fd);
}

bool DeliveryWatch::prune() {
  for (auto it = lingering_.begin(); it != lingering_.end();) {
    if (scheduler::output_delivered(*it)) {
      ::close(*it);
      it = lingering_.erase(it);
    } else {
      ++it;
    }
  }
  return lingering_.empty();
}

bool DeliveryWatch::delivered() {
  bool all = prune();
  for (int fd : open_) all = all && scheduler::output_delivered(fd);
  return all;
}

}  // namespace faultbox::engine
