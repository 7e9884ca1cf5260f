package dev.userservice.server;

import static dev.userservice.testing.Calls.catchStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.testing.NettyService;
import dev.userservice.testing.TestTokens;
import io.grpc.Status;
import io.grpc.channelz.v1.ChannelzGrpc;
import io.grpc.channelz.v1.GetServersRequest;
import io.grpc.channelz.v1.GetServersResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Channelz, served only with --admin-services and only to the admin role. */
class AdminServicesTest {

  private static ChannelzGrpc.ChannelzBlockingStub channelz(NettyService service) {
    return ChannelzGrpc.newBlockingStub(service.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void getServers_adminServicesOnAndAdminToken_listsTheServer() throws Exception {
    try (NettyService service = NettyService.start("--admin-services=true")) {
      GetServersResponse servers = channelz(service).withCallCredentials(TestTokens.bearer(TestTokens.admin()))
          .getServers(GetServersRequest.getDefaultInstance());

      assertThat(servers.getServerList()).isNotEmpty();
      assertThat(servers.getServerList()).anySatisfy(server -> assertThat(server.getListenSocketList()).isNotEmpty());
    }
  }

  @Test
  void getServers_adminServicesOnWithoutAdminRole_permissionDenied() throws Exception {
    try (NettyService service = NettyService.start("--admin-services=true")) {
      Status userToken = catchStatus(() -> channelz(service).withCallCredentials(
          TestTokens.bearer(TestTokens.user("some-user"))).getServers(GetServersRequest.getDefaultInstance()))
          .getStatus();
      Status noToken = catchStatus(() -> channelz(service).getServers(GetServersRequest.getDefaultInstance()))
          .getStatus();

      assertThat(userToken.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
      assertThat(noToken.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    }
  }

  @Test
  void getServers_adminServicesOff_unimplemented() throws Exception {
    try (NettyService service = NettyService.start()) {
      Status status = catchStatus(() -> channelz(service).withCallCredentials(
          TestTokens.bearer(TestTokens.admin())).getServers(GetServersRequest.getDefaultInstance())).getStatus();

      assertThat(status.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    }
  }
}
