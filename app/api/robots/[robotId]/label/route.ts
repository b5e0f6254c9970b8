// The name an operator gives a robot (lib/labels): PUT {"label": "..."} or DELETE.
import { deleteLabel, LABEL_BODY_MAX_BYTES, putLabel } from "@/lib/http/label-route";
import { handle } from "@/lib/http/responses";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ robotId: string }> };

export async function PUT(request: Request, { params }: Context): Promise<Response> {
  return handle(request, async () => putLabel(request, "robot", (await params).robotId), { maxBodyBytes: LABEL_BODY_MAX_BYTES });
}

export async function DELETE(request: Request, { params }: Context): Promise<Response> {
  return handle(request, async () => deleteLabel(request, "robot", (await params).robotId));
}
