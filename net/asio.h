// The one way this project includes Boost.Asio.
#pragma once

// Boost 1.74's awaitable.hpp uses std::exchange without including <utility>
// (../shared/PLATFORM.md): it must come first.
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

namespace mailvault {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
}  // namespace mailvault
