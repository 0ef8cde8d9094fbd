// The one translation unit that compiles Beast and Asio (BOOST_BEAST_SEPARATE_COMPILATION and
// BOOST_ASIO_SEPARATE_COMPILATION are defined globally). Do not include these anywhere else.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
