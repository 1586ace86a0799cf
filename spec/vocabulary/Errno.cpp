#include "spec/vocabulary/Errno.h"

#include <algorithm>
#include <cerrno>

#include "spec/vocabulary/CloseMatches.h"

namespace faultbox::star {

namespace {

// Every errno name of the Linux kernel's uapi headers (asm-generic/errno*.h)
// with its number on this machine, sorted by name.
constexpr ErrnoName kErrnos[] = {
    {"E2BIG", E2BIG},
    {"EACCES", EACCES},
    {"EADDRINUSE", EADDRINUSE},
    {"EADDRNOTAVAIL", EADDRNOTAVAIL},
    {"EADV", EADV},
    {"EAFNOSUPPORT", EAFNOSUPPORT},
    {"EAGAIN", EAGAIN},
    {"EALREADY", EALREADY},
    {"EBADE", EBADE},
    {"EBADF", EBADF},
    {"EBADFD", EBADFD},
    {"EBADMSG", EBADMSG},
    {"EBADR", EBADR},
    {"EBADRQC", EBADRQC},
    {"EBADSLT", EBADSLT},
    {"EBFONT", EBFONT},
    {"EBUSY", EBUSY},
    {"ECANCELED", ECANCELED},
    {"ECHILD", ECHILD},
    {"ECHRNG", ECHRNG},
    {"ECOMM", ECOMM},
    {"ECONNABORTED", ECONNABORTED},
    {"ECONNREFUSED", ECONNREFUSED},
    {"ECONNRESET", ECONNRESET},
    {"EDEADLK", EDEADLK},
    {"EDEADLOCK", EDEADLOCK},
    {"EDESTADDRREQ", EDESTADDRREQ},
    {"EDOM", EDOM},
    {"EDOTDOT", EDOTDOT},
    {"EDQUOT", EDQUOT},
    {"EEXIST", EEXIST},
    {"EFAULT", EFAULT},
    {"EFBIG", EFBIG},
    {"EHOSTDOWN", EHOSTDOWN},
    {"EHOSTUNREACH", EHOSTUNREACH},
    {"EHWPOISON", EHWPOISON},
    {"EIDRM", EIDRM},
    {"EILSEQ", EILSEQ},
    {"EINPROGRESS", EINPROGRESS},
    {"EINTR", EINTR},
    {"EINVAL", EINVAL},
    {"EIO", EIO},
    {"EISCONN", EISCONN},
    {"EISDIR", EISDIR},
    {"EISNAM", EISNAM},
    {"EKEYEXPIRED", EKEYEXPIRED},
    {"EKEYREJECTED", EKEYREJECTED},
    {"EKEYREVOKED", EKEYREVOKED},
    {"EL2HLT", EL2HLT},
    {"EL2NSYNC", EL2NSYNC},
    {"EL3HLT", EL3HLT},
    {"EL3RST", EL3RST},
    {"ELIBACC", ELIBACC},
    {"ELIBBAD", ELIBBAD},
    {"ELIBEXEC", ELIBEXEC},
    {"ELIBMAX", ELIBMAX},
    {"ELIBSCN", ELIBSCN},
    {"ELNRNG", ELNRNG},
    {"ELOOP", ELOOP},
    {"EMEDIUMTYPE", EMEDIUMTYPE},
    {"EMFILE", EMFILE},
    {"EMLINK", EMLINK},
    {"EMSGSIZE", EMSGSIZE},
    {"EMULTIHOP", EMULTIHOP},
    {"ENAMETOOLONG", ENAMETOOLONG},
    {"ENAVAIL", ENAVAIL},
    {"ENETDOWN", ENETDOWN},
    {"ENETRESET", ENETRESET},
    {"ENETUNREACH", ENETUNREACH},
    {"ENFILE", ENFILE},
    {"ENOANO", ENOANO},
    {"ENOBUFS", ENOBUFS},
    {"ENOCSI", ENOCSI},
    {"ENODATA", ENODATA},
    {"ENODEV", ENODEV},
    {"ENOENT", ENOENT},
    {"ENOEXEC", ENOEXEC},
    {"ENOKEY", ENOKEY},
    {"ENOLCK", ENOLCK},
    {"ENOLINK", ENOLINK},
    {"ENOMEDIUM", ENOMEDIUM},
    {"ENOMEM", ENOMEM},
    {"ENOMSG", ENOMSG},
    {"ENONET", ENONET},
    {"ENOPKG", ENOPKG},
    {"ENOPROTOOPT", ENOPROTOOPT},
    {"ENOSPC", ENOSPC},
    {"ENOSR", ENOSR},
    {"ENOSTR", ENOSTR},
    {"ENOSYS", ENOSYS},
    {"ENOTBLK", ENOTBLK},
    {"ENOTCONN", ENOTCONN},
    {"ENOTDIR", ENOTDIR},
    {"ENOTEMPTY", ENOTEMPTY},
    {"ENOTNAM", ENOTNAM},
    {"ENOTRECOVERABLE", ENOTRECOVERABLE},
    {"ENOTSOCK", ENOTSOCK},
    {"ENOTSUP", ENOTSUP},
    {"ENOTTY", ENOTTY},
    {"ENOTUNIQ", ENOTUNIQ},
    {"ENXIO", ENXIO},
    {"EOPNOTSUPP", EOPNOTSUPP},
    {"EOVERFLOW", EOVERFLOW},
    {"EOWNERDEAD", EOWNERDEAD},
    {"EPERM", EPERM},
    {"EPFNOSUPPORT", EPFNOSUPPORT},
    {"EPIPE", EPIPE},
    {"EPROTO", EPROTO},
    {"EPROTONOSUPPORT", EPROTONOSUPPORT},
    {"EPROTOTYPE", EPROTOTYPE},
    {"ERANGE", ERANGE},
    {"EREMCHG", EREMCHG},
    {"EREMOTE", EREMOTE},
    {"EREMOTEIO", EREMOTEIO},
    {"ERESTART", ERESTART},
    {"ERFKILL", ERFKILL},
    {"EROFS", EROFS},
    {"ESHUTDOWN", ESHUTDOWN},
    {"ESOCKTNOSUPPORT", ESOCKTNOSUPPORT},
    {"ESPIPE", ESPIPE},
    {"ESRCH", ESRCH},
    {"ESRMNT", ESRMNT},
    {"ESTALE", ESTALE},
    {"ESTRPIPE", ESTRPIPE},
    {"ETIME", ETIME},
    {"ETIMEDOUT", ETIMEDOUT},
    {"ETOOMANYREFS", ETOOMANYREFS},
    {"ETXTBSY", ETXTBSY},
    {"EUCLEAN", EUCLEAN},
    {"EUNATCH", EUNATCH},
    {"EUSERS", EUSERS},
    {"EWOULDBLOCK", EWOULDBLOCK},
    {"EXDEV", EXDEV},
    {"EXFULL", EXFULL},
};

}  // namespace

std::span<const ErrnoName> errno_names() { return kErrnos; }

std::optional<int> errno_value(std::string_view name) {
  for (const ErrnoName& e : kErrnos)
    if (name == e.name) return e.value;
  return std::nullopt;
}

std::vector<std::string> close_errno_names(std::string_view name) {
  std::vector<std::string> all;
  for (const ErrnoName& e : kErrnos) all.emplace_back(e.name);
  return close_matches(name, all);
}

}  // namespace faultbox::star
